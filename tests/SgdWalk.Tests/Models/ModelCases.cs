using SgdWalk.Models;

namespace SgdWalk.Tests.Models;

/// <summary>The shapes and model names the Models tests share.</summary>
internal static class ModelCases
{
    public static readonly ModelSpec Mnist = new(1, 28, 28, 10);
    public static readonly ModelSpec Cifar = new(3, 32, 32, 10);

    /// <summary>Every zoo entry with a spec it accepts; "resnet" gets a depth other than 20/56.</summary>
    public static ModelSpec For(string name, ModelSpec shape) =>
        name == "resnet" ? shape with { Depth = 14 } : shape;

    /// <summary>The image classifiers of the zoo: the valley models read the valley dataset's two numbers (ValleyTests).</summary>
    public static IEnumerable<ModelFamily> Classifiers => ModelZoo.Known.Where(m => !m.Name.StartsWith("valley", StringComparison.Ordinal));

    /// <summary>The valley dataset's shape: one 1×2 "image" of noise, two classes.</summary>
    public static ModelSpec Valley { get; } = new(1, 1, 2, 2);

    public static TheoryData<string> Names() => new(Classifiers.Select(m => m.Name));

    /// <summary>Each model on CIFAR shapes, and on MNIST shapes except vgg11 (which needs 32x32).</summary>
    public static TheoryData<string, string> NamesAndShapes()
    {
        var data = new TheoryData<string, string>();
        foreach (var m in Classifiers)
        {
            if (m.Name != "vgg11") data.Add(m.Name, "mnist");
            data.Add(m.Name, "cifar");
        }
        return data;
    }

    public static ModelSpec Shape(string shape) => shape == "mnist" ? Mnist : Cifar;
}
