/* A plain read of memory, for measuring the read bandwidth a product could reach (not part of the
 * model).
 *
 * llmzero_stream_sum: the sum of a[0..n), each of `threads` threads reading its share as `streams`
 * (1, 2, 4 or 8) streams side by side; benchmarks/bench_inference.py tries each and keeps the
 * fastest (decode.c's products read their matrices as bands side by side for the same reason).
 * Built through llmzero/inference/kernel.py's load_library, with decode.c's flags.
 */
#include <immintrin.h>
#include <omp.h>

/* Reads streams pieces of len floats, one after the other from a, side by side, 32 floats of each
 * at a time. */
static inline __attribute__((always_inline)) void read_side_by_side(const float *a, long len,
                                                                    int streams, __m256 acc[8]) {
    for (long k = 0; k + 32 <= len; k += 32)
        for (int s = 0; s < streams; s++)
            for (int j = 0; j < 4; j++)
                acc[(4 * s + j) % 8] =
                    _mm256_add_ps(acc[(4 * s + j) % 8], _mm256_loadu_ps(a + s * len + k + 8 * j));
}

double llmzero_stream_sum(const float *a, long n, int streams, int threads) {
    double total = 0.0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
        const int T = omp_get_num_threads(), t = omp_get_thread_num();
        const long from = n * t / T, to = n * (t + 1) / T, len = (to - from) / streams / 32 * 32;
        __m256 acc[8];
        for (int i = 0; i < 8; i++) acc[i] = _mm256_setzero_ps();
        long done = from + streams * len;
        switch (streams) { /* (a constant count each, so that the compiler unrolls the loop over the
                              streams) */
        case 1: read_side_by_side(a + from, len, 1, acc); break;
        case 2: read_side_by_side(a + from, len, 2, acc); break;
        case 4: read_side_by_side(a + from, len, 4, acc); break;
        case 8: read_side_by_side(a + from, len, 8, acc); break;
        default: done = from; /* (nothing read side by side: all of it below) */
        }
        float lanes[8];
        for (int i = 0; i < 8; i++) {
            _mm256_storeu_ps(lanes, acc[i]);
            for (int j = 0; j < 8; j++) total += lanes[j];
        }
        for (long i = done; i < to; i++) total += a[i];
    }
    return total;
}
