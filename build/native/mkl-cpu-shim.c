/*
 * oneMKL's CPU dispatch: libtorch 2.10 links oneMKL 2024.0 statically and exports its service functions. oneMKL
 * asks mkl_serv_intel_cpu_true() whether the processor is an Intel one and, where it is not, runs its generic
 * kernels even when the processor has AVX2 or AVX-512 (on this project's AMD EPYC: sgemm 1.46x slower than
 * Debian's OpenBLAS). Preloaded in front of libtorch (LD_PRELOAD), these definitions win symbol resolution, so
 * oneMKL goes on to pick its kernels by the CPU features it detects itself (cpuid), as on an Intel processor.
 * scripts/ensure-mkl-shim.sh builds this file and decides where it is used; SGDWALK_MKL_SHIM=0 switches it off.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
int mkl_serv_intel_cpu(void) { return 1; }
