using SgdWalk.Models;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Models;

/// <summary>Parameter names are checkpoint keys: they must be readable and must not drift.</summary>
public class CheckpointKeyTests
{
    private static string[] ParameterNames(string name, ModelSpec spec)
    {
        using var model = ModelZoo.Create(name, spec);
        return model.named_parameters().Select(p => p.name).ToArray();
    }

    [Fact]
    public void Mlp_keys_follow_the_authors_layer_names_in_forward_order()
    {
        Assert.Equal(
        [
            "layers.fc1.weight", "layers.fc1.bias", "layers.bn1.weight", "layers.bn1.bias",
            "layers.fc2.weight", "layers.fc2.bias", "layers.bn2.weight", "layers.bn2.bias",
            "layers.fc3.weight", "layers.fc3.bias",
        ], ParameterNames("mlp", ModelCases.Mnist));

        using var model = ModelZoo.Create("mlp", ModelCases.Mnist);
        var state = model.state_dict().Keys;
        Assert.Contains("layers.bn1.running_mean", state);
        Assert.Contains("layers.bn2.running_var", state);
    }

    [Fact]
    public void Mlp_without_batch_norm_has_only_linear_keys()
    {
        Assert.Equal(
            ["layers.fc1.weight", "layers.fc1.bias", "layers.fc2.weight", "layers.fc2.bias"],
            ParameterNames("mlp", ModelCases.Mnist with { Hidden = [64], BatchNorm = false }));
    }

    [Fact]
    public void Small_cnn_keys_name_features_and_classifier()
    {
        var names = ParameterNames("small-cnn", ModelCases.Cifar);
        Assert.Equal("features.conv1.weight", names[0]);
        Assert.Contains("features.bn2.bias", names);
        Assert.Equal(["classifier.fc1.weight", "classifier.fc1.bias", "classifier.fc2.weight", "classifier.fc2.bias"],
            names[^4..]);
        Assert.DoesNotContain(ParameterNames("small-cnn", ModelCases.Cifar with { BatchNorm = false }), n => n.Contains(".bn"));
    }

    [Fact]
    public void Vgg11_keys_number_its_eight_convs_and_three_linears()
    {
        var names = ParameterNames("vgg11", ModelCases.Cifar);
        Assert.Equal("features.conv1.weight", names[0]);
        Assert.Equal(8, names.Count(n => n.StartsWith("features.conv") && n.EndsWith(".weight")));
        Assert.Contains("features.bn8.bias", names);
        Assert.Equal("classifier.fc3.bias", names[^1]);
    }

    [Fact]
    public void Resnet20_keys_name_stem_stages_blocks_and_shortcuts()
    {
        var names = ParameterNames("resnet20", ModelCases.Cifar);
        Assert.Equal("stem.weight", names[0]);
        Assert.Equal(["stage1.block1.bn1.weight", "stage1.block1.bn1.bias", "stage1.block1.conv1.weight"], names[1..4]);
        Assert.Contains("stage3.block3.conv2.weight", names);
        // Only the two shape-changing blocks own a projection shortcut; convs are bias-free.
        Assert.Equal(["stage2.block1.shortcut.weight", "stage3.block1.shortcut.weight"], names.Where(n => n.Contains("shortcut")));
        Assert.DoesNotContain(names, n => n.Contains("conv") && n.EndsWith(".bias"));
        Assert.Equal(["bn.weight", "bn.bias", "fc.weight", "fc.bias"], names[^4..]);
    }
}
