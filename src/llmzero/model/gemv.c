/* One row times a matrix, for generating text one token at a time on a CPU.
 *
 *     y[n] = sum_k W[n, k] * x[k] + b[n]        W: (N, K) row-major float32, as nn.Linear stores it
 *
 * Generating a token multiplies one vector by every weight matrix of the model, so the time goes into reading
 * the weights from memory, each byte once. What matters is keeping the memory busy: four rows of W are read
 * side by side (four independent streams the hardware prefetcher follows) with eight AVX2 accumulators, and
 * the rows are split between the threads of PyTorch's own OpenMP pool (the library is loaded after PyTorch,
 * so both share one libgomp and their threads never fight for the cores).
 *
 * Built by llmzero/model/cpu_kernel.py with: cc -O3 -mavx2 -mfma -fopenmp -shared -fPIC
 */
#include <immintrin.h>

static inline float sum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_hadd_ps(s, s);
    s = _mm_hadd_ps(s, s);
    return _mm_cvtss_f32(s);
}

/* The dot product of one row with x, for the rows left over after the blocks of four. */
static float dot_row(const float *w, const float *x, long K) {
    __m256 acc = _mm256_setzero_ps();
    long k = 0;
    for (; k + 8 <= K; k += 8)
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(w + k), _mm256_loadu_ps(x + k), acc);
    float s = sum8(acc);
    for (; k < K; k++)
        s += w[k] * x[k];
    return s;
}

static void four_rows(const float *w0, const float *x, long K, float out[4]) {
    const float *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;  /* even 8-float chunks */
    __m256 c0 = a0, c1 = a0, c2 = a0, c3 = a0;                   /* odd 8-float chunks */
    long k = 0;
    for (; k + 16 <= K; k += 16) {
        __m256 x0 = _mm256_loadu_ps(x + k), x1 = _mm256_loadu_ps(x + k + 8);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + k), x0, a0);
        c0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + k + 8), x1, c0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + k), x0, a1);
        c1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + k + 8), x1, c1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + k), x0, a2);
        c2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + k + 8), x1, c2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + k), x0, a3);
        c3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + k + 8), x1, c3);
    }
    for (; k + 8 <= K; k += 8) {
        __m256 x0 = _mm256_loadu_ps(x + k);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + k), x0, a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + k), x0, a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + k), x0, a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + k), x0, a3);
    }
    out[0] = sum8(_mm256_add_ps(a0, c0));
    out[1] = sum8(_mm256_add_ps(a1, c1));
    out[2] = sum8(_mm256_add_ps(a2, c2));
    out[3] = sum8(_mm256_add_ps(a3, c3));
    for (; k < K; k++) {
        out[0] += w0[k] * x[k];
        out[1] += w1[k] * x[k];
        out[2] += w2[k] * x[k];
        out[3] += w3[k] * x[k];
    }
}

/* b may be NULL (no bias). threads: how many OpenMP threads to use (PyTorch's torch.get_num_threads()). */
void llmzero_gemv(const float *W, const float *x, const float *b, float *y, long N, long K, int threads) {
    long blocks = N / 4;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long i = 0; i < blocks; i++) {
        float out[4];
        four_rows(W + 4 * i * K, x, K, out);
        for (int r = 0; r < 4; r++)
            y[4 * i + r] = out[r] + (b ? b[4 * i + r] : 0.0f);
    }
    for (long n = 4 * blocks; n < N; n++)
        y[n] = dot_row(W + n * K, x, K) + (b ? b[n] : 0.0f);
}

/* Lets the loader check that this library was built with OpenMP (returns 1) and not as a serial fallback. */
int llmzero_gemv_openmp(void) {
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}
