/* Generating text one token at a time on a CPU, in float32 (the product in bfloat16 too): the same
 * numbers as gpt.py, fewer
 * steps.
 *
 * 1. llmzero_gemv: one row times a matrix,  y[n] = sum_k W[n, k] * x[k] + b[n]  (W: (N, K), as
 * nn.Linear stores it). Generating a token multiplies one vector by every weight matrix of the
 * model, so the time goes into reading the weights from memory, each byte once. What matters is
 * keeping the memory busy: each thread reads its share of W as four streams side by side (one
 * stream per core leaves bandwidth unused, see bands_step), on the threads of PyTorch's own OpenMP
 * pool (the library is loaded after PyTorch, so both share one libgomp and their threads never
 * fight for the cores).
 *
 * 2. llmzero_decode_step: the whole model of gpt.py for one new token, in one call: its embedding,
 * every transformer block, the final norm and the output layer, in GPT-2's layout or Llama's and
 * Qwen's (rotary positions, RMSNorm, SwiGLU, fewer key/value heads than query heads, RMSNorm on
 * queries and keys). In Python each block is some twenty to fifty small operations, each a few
 * microseconds of dispatch, and after every token the weights streaming through the caches have
 * pushed the interpreter's own data out of them, so every Python step between two products is slow
 * too; that adds up to a fifth of the time of a GPT-2-sized token and most of a small model's. Here
 * it is one loop, block by block (see llmzero_decode_step for one block's steps), then logits =
 * norm_f(x) @ Whead, and the most probable next token with its probability (all that greedy
 * decoding needs, found while the logits are still in the caches). While the memory is busy the
 * arithmetic is nearly free, but whatever runs between two products (GELU, SiLU, softmax, the
 * norms) leaves the memory idle, so those use AVX2 too: exp is computed eight at a time.
 *
 * Built by llmzero/inference/kernel.py with: cc -O3 -mavx2 -mfma -fopenmp -shared -fPIC ... -lm
 */
#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>

static inline float sum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_hadd_ps(s, s);
    s = _mm_hadd_ps(s, s);
    return _mm_cvtss_f32(s);
}

/* exp of 8 floats: x = n ln2 + r with |r| <= ln2/2, exp(x) = 2^n exp(r), exp(r) by Cephes' expf
 * polynomial (a few units in the last place). Inputs are clamped to where float exp is finite and
 * not denormal. */
static inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500E-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507E-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073E-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894E-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459E-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201E-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i e =
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

/* u = sqrt(2/pi) (x + 0.044715 x^3) of 8 floats: the argument of the tanh in GELU's tanh form. */
static inline __m256 gelu_u8(__m256 x) {
    return _mm256_mul_ps(
        _mm256_set1_ps(0.7978845608028654f),
        _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(0.044715f), x), _mm256_mul_ps(x, x), x));
}

/* GELU (tanh form) of 8 floats: 0.5 x (1 + tanh(u)) = x / (1 + exp(-2u)). (The second form never
 * subtracts two nearly equal numbers, so it is as exact for large negative x.) */
static inline __m256 gelu8(__m256 x) {
    __m256 e = exp8(_mm256_mul_ps(_mm256_set1_ps(-2.0f), gelu_u8(x)));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

/* SiLU of 8 floats: x sigmoid(x) = x / (1 + exp(-x)), as PyTorch writes it. */
static inline __m256 silu8(__m256 x) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

/* The mask that keeps the first `count` of eight lanes (count 0..8), for loads and stores at the
 * end of an array. */
static inline __m256i first_lanes(long count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* Sixteen bfloat16 weights at w as two vectors of floats: the even-numbered ones and the odd ones.
 * A bfloat16 is the top half of a float32, so widening is a shift (even) or a mask (odd), one cheap
 * operation per eight weights; x is laid out to match (see spread_x). */
static inline void load16_bf16(const uint16_t *w, __m256 *even, __m256 *odd) {
    const __m256i v = _mm256_loadu_si256((const __m256i *)w);
    *even = _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
    *odd = _mm256_castsi256_ps(_mm256_and_si256(v, _mm256_set1_epi32((int)0xffff0000u)));
}

static inline float bf16_to_float(uint16_t h) {
    union { uint32_t u; float f; } v = {.u = (uint32_t)h << 16};
    return v.f;
}

/* A float rounded to the nearest bfloat16, ties to even (as PyTorch rounds). */
static inline uint16_t float_to_bf16(float f) {
    union { float f; uint32_t u; } v = {.f = f};
    if ((v.u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((v.u >> 16) | 0x40); /* NaN */
    return (uint16_t)((v.u + 0x7fffu + ((v.u >> 16) & 1u)) >> 16);
}

/* The dot product of row w with x as eight partial sums in one vector (their total is the product):
 * one multiply-add per eight floats into one accumulator, the last K % 8 through a masked load
 * (nothing outside w or x is read). Every product in this file adds in this order, so a row's
 * result never depends on which rows were read beside it. */
static inline __m256 dot_partial(const void *W, long row, const float *x, long K, int bf16) {
    __m256 a = _mm256_setzero_ps();
    long k = 0;
    if (bf16) { /* K a multiple of 16; x spread (see spread_x) */
        const uint16_t *w = (const uint16_t *)W + row * K;
        __m256 b = _mm256_setzero_ps(), even, odd;
        for (; k < K; k += 16) {
            load16_bf16(w + k, &even, &odd);
            a = _mm256_fmadd_ps(even, _mm256_loadu_ps(x + k), a);
            b = _mm256_fmadd_ps(odd, _mm256_loadu_ps(x + k + 8), b);
        }
        return _mm256_add_ps(a, b);
    }
    const float *w = (const float *)W + row * K;
    for (; k + 8 <= K; k += 8)
        a = _mm256_fmadd_ps(_mm256_loadu_ps(w + k), _mm256_loadu_ps(x + k), a);
    if (k < K) {
        const __m256i m = first_lanes(K - k);
        a = _mm256_fmadd_ps(_mm256_maskload_ps(w + k, m), _mm256_maskload_ps(x + k, m), a);
    }
    return a;
}

/* The totals of eight rows' partial sums, as one vector, by pairwise horizontal adds (totalling
 * each row on its own costs time while the memory waits). */
static inline __m256 totals8(const __m256 v[8]) {
    const __m256 h01 = _mm256_hadd_ps(v[0], v[1]), h23 = _mm256_hadd_ps(v[2], v[3]);
    const __m256 h45 = _mm256_hadd_ps(v[4], v[5]), h67 = _mm256_hadd_ps(v[6], v[7]);
    const __m256 lo = _mm256_hadd_ps(h01, h23),
                 hi = _mm256_hadd_ps(h45, h67); /* rows 0-3, then 4-7, per lane */
    return _mm256_add_ps(_mm256_permute2f128_ps(lo, hi, 0x20),
                         _mm256_permute2f128_ps(lo, hi, 0x31));
}

/* The dot products of rows n0 .. n0+count (count at most 8) of W with x, as one vector (lanes
 * past count are 0). */
static inline __m256 dots8(const void *W, long n0, long count, const float *x, long K, int bf16) {
    __m256 v[8];
    for (int i = 0; i < 8; i++)
        v[i] = i < count ? dot_partial(W, n0 + i, x, K, bf16) : _mm256_setzero_ps();
    return totals8(v);
}

/* y[n0 .. n0+count) = v + b[n0 ..] (b may be NULL), GELU applied when gelu is set. With bf16 = 1
 * (a bfloat16 product), b and y are bfloat16 and each sum is rounded once, when stored; with 0 or 2
 * (float32 weights, or bfloat16 weights in a float32 step), float32. */
static inline void finish_rows(__m256 v, const void *b, void *y, long n0, long count, int gelu,
                               int bf16) {
    const __m256i m = first_lanes(count);
    if (bf16 != 1) {
        if (b) v = _mm256_add_ps(v, _mm256_maskload_ps((const float *)b + n0, m));
        if (gelu) v = gelu8(v);
        _mm256_maskstore_ps((float *)y + n0, m, v);
        return;
    }
    float sums[8];
    _mm256_storeu_ps(sums, v);
    for (long i = 0; i < count; i++) {
        const float bias = b ? bf16_to_float(((const uint16_t *)b)[n0 + i]) : 0.0f;
        ((uint16_t *)y)[n0 + i] = float_to_bf16(sums[i] + bias);
    }
}

/* Rows n0..n0+7 of y = W x + b (fewer at the end of W). */
static inline void eight_rows(const void *W, const float *x, const void *b, void *y, long n0,
                              long N, long K, int gelu, int bf16) {
    const long count = N - n0 < 8 ? N - n0 : 8;
    finish_rows(dots8(W, n0, count, x, K, bf16), b, y, n0, count, gelu, bf16);
}

/* A product reads W as BANDS streams at once, far apart: W's first BANDS * band_rows rows are cut
 * into BANDS bands of band_rows rows, and step g reads the g-th eight rows of every band side by
 * side, each load of x serving all of them. One core following one stream leaves memory bandwidth
 * unused (benchmarks/RESULTS.md has the measurements). */
enum { BANDS = 4 };

/* How far ahead of its reading each stream asks for the next cache line into L2 (_mm_prefetch,
 * one line per 64 bytes read). With the hardware prefetcher alone the products read ~10 % slower
 * than the plain reader of benchmarks/stream_sum.c; 2-3 KB ahead closes the gap, 1 KB is too
 * close and 8 KB too far (benchmarks/RESULTS.md). */
enum { AHEAD = 2048 };

static inline void prefetch_bands(const void *w, long band_bytes) {
    for (int s = 0; s < BANDS; s++)
        _mm_prefetch((const char *)w + s * band_bytes + AHEAD, _MM_HINT_T1);
}

static inline void bands_step(const void *W, const float *x, const void *b, void *y, long g,
                              long band_rows, long K, int gelu, int bf16) {
    __m256 v[BANDS][8];
    for (int i = 0; i < 8; i++) {
        const long w = (g * 8 + i) * K; /* the index of the row's first weight in band 0 */
        __m256 a[BANDS];
        for (int s = 0; s < BANDS; s++) a[s] = _mm256_setzero_ps();
        long k = 0;
        if (bf16) { /* the same sums as dot_partial's, in the same order */
            const uint16_t *wb = (const uint16_t *)W + w;
            __m256 o[BANDS], even, odd;
            for (int s = 0; s < BANDS; s++) o[s] = _mm256_setzero_ps();
            for (; k < K; k += 16) {
                const __m256 xe = _mm256_loadu_ps(x + k), xo = _mm256_loadu_ps(x + k + 8);
                if (!(k & 31)) prefetch_bands(wb + k, band_rows * K * 2);
                for (int s = 0; s < BANDS; s++) {
                    load16_bf16(wb + s * band_rows * K + k, &even, &odd);
                    a[s] = _mm256_fmadd_ps(even, xe, a[s]);
                    o[s] = _mm256_fmadd_ps(odd, xo, o[s]);
                }
            }
            for (int s = 0; s < BANDS; s++) v[s][i] = _mm256_add_ps(a[s], o[s]);
            continue;
        }
        const float *wf = (const float *)W + w;
        for (; k + 8 <= K; k += 8) {
            const __m256 xk = _mm256_loadu_ps(x + k);
            if (!(k & 15)) prefetch_bands(wf + k, band_rows * K * 4);
            for (int s = 0; s < BANDS; s++)
                a[s] = _mm256_fmadd_ps(_mm256_loadu_ps(wf + s * band_rows * K + k), xk, a[s]);
        }
        if (k < K) { /* the same sums as dot_partial's, in the same order */
            const __m256i m = first_lanes(K - k);
            const __m256 xk = _mm256_maskload_ps(x + k, m);
            for (int s = 0; s < BANDS; s++)
                a[s] = _mm256_fmadd_ps(_mm256_maskload_ps(wf + s * band_rows * K + k, m), xk, a[s]);
        }
        for (int s = 0; s < BANDS; s++) v[s][i] = a[s];
    }
    for (int s = 0; s < BANDS; s++)
        finish_rows(totals8(v[s]), b, y, s * band_rows + g * 8, 8, gelu, bf16);
}

/* How many items of a thread's share have been claimed, from the front by its owner or from the
 * back by the others. One counter per cache line: two cores writing the same line would pass it
 * back and forth. */
struct claims {
    long taken, from_back;
    char pad[64 - 2 * sizeof(long)];
} __attribute__((aligned(64)));

/* y = W x + b, GELU applied to y when gelu is set; b may be NULL (no bias). W is float32 (bf16 0)
 * or bfloat16 (1: b and y bfloat16 too; 2: b and y float32), x float32, spread (see spread_x) when
 * W is bfloat16. threads: how many
 * OpenMP threads to use (PyTorch's torch.get_num_threads()). The work comes in items: step g of the
 * bands (see bands_step), then the rows after the bands, eight at a time. Each thread takes an
 * equal share of the items and does them in order, so it reads its part of every band front to
 * back, a stream each, which the hardware prefetcher follows. On a shared machine one core often
 * runs slower than the other; with fixed shares the faster one would then wait at the end of every
 * product, so a thread that is done takes the rest of the others' shares, one item at a time, from
 * their far end. Rows go eight at a time so that GELU, when asked for, is one vector operation
 * while the memory works. */
static inline __attribute__((always_inline)) void
gemv_of(const void *W, const float *x, const void *b, void *y, long N, long K, int gelu, int bf16,
        int threads) {
    const long steps = N / 8 / BANDS, band_rows = 8 * steps, rest = BANDS * band_rows;
    const long items = steps + (N - rest + 7) / 8;
    struct claims claims[threads > 0 ? threads : 1];
    for (int t = 0; t < threads; t++) claims[t].taken = claims[t].from_back = 0;
#pragma omp parallel num_threads(threads)
    {
        const int T = omp_get_num_threads(), t = omp_get_thread_num();
        for (int i = 0; i < T; i++) {
            const int o = (t + i) % T; /* its own share first, then the others' */
            const long first = items * o / T, size = items * (o + 1) / T - first;
            /* at most `size` claims succeed: the owner's k-th takes item k from the front, the j-th
             * taken by the others item j from the back, so no item is done twice and every item is
             * done */
            for (long k = 0; __atomic_fetch_add(&claims[o].taken, 1, __ATOMIC_RELAXED) < size;
                 k++) {
                const long item = first + (o == t ? k
                                                  : size - 1 -
                                                        __atomic_fetch_add(&claims[o].from_back, 1,
                                                                           __ATOMIC_RELAXED));
                if (item < steps)
                    bands_step(W, x, b, y, item, band_rows, K, gelu, bf16);
                else
                    eight_rows(W, x, b, y, rest + (item - steps) * 8, N, K, gelu, bf16);
            }
        }
    }
}

static void gemv(const float *W, const float *x, const float *b, float *y, long N, long K, int gelu,
                 int threads) {
    gemv_of(W, x, b, y, N, K, gelu, 0, threads);
}

void llmzero_gemv(const float *W, const float *x, const float *b, float *y, long N, long K,
                  int threads) {
    gemv(W, x, b, y, N, K, 0, threads);
}

/* x (bfloat16) as floats laid out for load16_bf16: in each run of sixteen, the even-numbered
 * entries, then the odd ones. */
static void spread_x(const uint16_t *x, float *out, long K) {
    for (long k = 0; k < K; k += 16)
        for (int j = 0; j < 8; j++) {
            out[k + j] = bf16_to_float(x[k + 2 * j]);
            out[k + 8 + j] = bf16_to_float(x[k + 2 * j + 1]);
        }
}

/* The same layout from float32 x (K a multiple of 16). */
static void spread_f32(const float *x, float *out, long K) {
    for (long k = 0; k < K; k += 16)
        for (int j = 0; j < 8; j++) {
            out[k + j] = x[k + 2 * j];
            out[k + 8 + j] = x[k + 2 * j + 1];
        }
}

/* y = W x + b for a float32 step: W float32, or bfloat16 when w16 is set (then x is spread into
 * `spread`, K floats, first). */
static void step_gemv(const void *W, const float *x, const float *b, float *y, long N, long K,
                      int gelu, int w16, float *spread, int threads) {
    if (!w16) {
        gemv(W, x, b, y, N, K, gelu, threads);
        return;
    }
    spread_f32(x, spread, K);
    gemv_of(W, spread, b, y, N, K, gelu, 2, threads);
}

/* The same product in bfloat16: W (N, K), x (K), b (N, or NULL) and y (N) are bfloat16, K a
 * multiple of 16. Sums are float32, as PyTorch's, so y differs from F.linear's only where the two
 * orders of adding round differently. Returns 0, or -2 (having done nothing) without memory. */
int llmzero_gemv_bf16(const uint16_t *W, const uint16_t *x, const uint16_t *b, uint16_t *y, long N,
                      long K, int threads) {
    float *xf = malloc(sizeof(float) * K);
    if (!xf) return -2; /* no memory for x in float32: nothing done */
    spread_x(x, xf, K);
    gemv_of(W, xf, b, y, N, K, 0, 1, threads);
    free(xf);
    return 0;
}

/* exp, GELU and SiLU over n floats, exactly as the decode step computes them (for the tests; n a
 * multiple of 8). */
void llmzero_exp(const float *x, float *y, long n) {
    for (long i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, exp8(_mm256_loadu_ps(x + i)));
}

void llmzero_gelu(const float *x, float *y, long n) {
    for (long i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, gelu8(_mm256_loadu_ps(x + i)));
}

void llmzero_silu(const float *x, float *y, long n) {
    for (long i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, silu8(_mm256_loadu_ps(x + i)));
}

/* GELU (tanh form) for training, over n floats on `threads` threads: y = gelu(x) as gelu8, and
 * its gradient dx = dy gelu'(x). With s = 1 / (1 + exp(-2u)) (so gelu(x) = x s) and u as in gelu8,
 * gelu'(x) = s + 2 x s (1 - s) u'(x), u'(x) = sqrt(2/pi) (1 + 3 * 0.044715 x^2): one exp per value,
 * where PyTorch's own kernels compute a tanh in each direction. */
static inline __m256 gelu_grad8(__m256 x, __m256 dy) {
    const __m256 c = _mm256_set1_ps(0.7978845608028654f), one = _mm256_set1_ps(1.0f);
    const __m256 x2 = _mm256_mul_ps(x, x);
    const __m256 s = _mm256_div_ps(
        one, _mm256_add_ps(one, exp8(_mm256_mul_ps(_mm256_set1_ps(-2.0f), gelu_u8(x)))));
    const __m256 du = _mm256_mul_ps(c, _mm256_fmadd_ps(_mm256_set1_ps(3.0f * 0.044715f), x2, one));
    const __m256 slope = _mm256_mul_ps(_mm256_mul_ps(_mm256_add_ps(x, x), s),
                                       _mm256_mul_ps(_mm256_sub_ps(one, s), du));
    return _mm256_mul_ps(dy, _mm256_add_ps(s, slope));
}

/* The forward pass (dy NULL: out = gelu(x)) or the backward one (out = dy gelu'(x)) over n floats,
 * eight at a time, the last few through a mask. */
static void gelu_pass(const float *x, const float *dy, float *out, long n, int threads) {
    const long blocks = (n + 7) / 8;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long i = 0; i < blocks; i++) {
        const long at = 8 * i;
        if (n - at >= 8) {
            const __m256 v = _mm256_loadu_ps(x + at);
            _mm256_storeu_ps(out + at, dy ? gelu_grad8(v, _mm256_loadu_ps(dy + at)) : gelu8(v));
        } else {
            const __m256i m = first_lanes(n - at);
            const __m256 v = _mm256_maskload_ps(x + at, m);
            _mm256_maskstore_ps(out + at, m,
                                dy ? gelu_grad8(v, _mm256_maskload_ps(dy + at, m)) : gelu8(v));
        }
    }
}

void llmzero_gelu_forward(const float *x, float *y, long n, int threads) {
    gelu_pass(x, NULL, y, n, threads);
}

void llmzero_gelu_backward(const float *x, const float *dy, float *dx, long n, int threads) {
    gelu_pass(x, dy, dx, n, threads);
}

/* Lets the loader check that this library was built with OpenMP (returns 1) and not as a serial
 * fallback. */
int llmzero_gemv_openmp(void) {
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

/* ---- The decode step ------------------------------------------------------------------------- */

/* acc plus eight floats' distances from m, squared when `squared` is set: in double, as four lanes.
 */
static inline __m256d spread8(__m256 v, __m256d m, __m256d acc, int squared) {
    const __m256d lo = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), m);
    const __m256d hi = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), m);
    return squared ? _mm256_fmadd_pd(hi, hi, _mm256_fmadd_pd(lo, lo, acc))
                   : _mm256_add_pd(acc, _mm256_add_pd(lo, hi));
}

static inline double total4(__m256d v) {
    const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

/* y = (x - mean) / sqrt(var + eps) * w + b over C values (b may be NULL), as torch.nn.LayerNorm.
 * The mean and the variance are summed in double, eight values a step (one at a time, a 768-value
 * LayerNorm took 2 us, 25 of them per GPT-2 token, with the memory idle). */
static void layer_norm(const float *x, const float *w, const float *b, float *y, long C,
                       float eps) {
    const long C8 = C / 8 * 8;
    __m256d acc = _mm256_setzero_pd();
    for (long i = 0; i < C8; i += 8)
        acc = spread8(_mm256_loadu_ps(x + i), _mm256_setzero_pd(), acc, 0);
    double mean = total4(acc);
    for (long i = C8; i < C; i++) mean += x[i];
    mean /= C;
    acc = _mm256_setzero_pd();
    for (long i = 0; i < C8; i += 8)
        acc = spread8(_mm256_loadu_ps(x + i), _mm256_set1_pd(mean), acc, 1);
    double var = total4(acc);
    for (long i = C8; i < C; i++) var += (x[i] - mean) * (x[i] - mean);
    const float inv = (float)(1.0 / sqrt(var / C + eps));
    for (long i = 0; i < C; i++) y[i] = (float)(x[i] - mean) * inv * w[i] + (b ? b[i] : 0.0f);
}

/* y = x / sqrt(mean(x^2) + eps) * w over C values, as torch.nn.RMSNorm (no mean taken away, no
 * bias; the mean of the squares in double, as layer_norm's). y may be x itself. */
static void rms_norm(const float *x, const float *w, float *y, long C, float eps) {
    const long C8 = C / 8 * 8;
    __m256d acc = _mm256_setzero_pd();
    for (long i = 0; i < C8; i += 8)
        acc = spread8(_mm256_loadu_ps(x + i), _mm256_setzero_pd(), acc, 1);
    double squares = total4(acc);
    for (long i = C8; i < C; i++) squares += (double)x[i] * x[i];
    const float inv = (float)(1.0 / sqrt(squares / C + eps));
    for (long i = 0; i < C; i++) y[i] = x[i] * inv * w[i];
}

/* The block's normalisation: RMSNorm (b unused) when rms is set, else LayerNorm. */
static void norm(int rms, const float *x, const float *w, const float *b, float *y, long C,
                 float eps) {
    if (rms)
        rms_norm(x, w, y, C, eps);
    else
        layer_norm(x, w, b, y, C, eps);
}

/* Rotary positions, as gpt.apply_rope: each of `heads` heads of D numbers (side by side at x) turns
 * its pairs (i, i + D/2) by the position's angles, whose cos and sin are D/2 floats each (the
 * position's row of the model's tables, which already hold any scaling of the frequencies). */
static void rotate(float *x, long heads, long D, const float *cos, const float *sin) {
    const long half = D / 2;
    for (long h = 0; h < heads; h++) {
        float *a = x + h * D, *b = a + half;
        for (long i = 0; i < half; i++) {
            const float x1 = a[i], x2 = b[i];
            a[i] = x1 * cos[i] - x2 * sin[i];
            b[i] = x2 * cos[i] + x1 * sin[i];
        }
    }
}

/* SwiGLU's middle, in place: h holds [gate; up] (M floats each, as gpt.MLP's fc gives them); its
 * first M become silu(gate) * up. */
static void swiglu(float *h, long M) {
    long i = 0;
    for (; i + 8 <= M; i += 8)
        _mm256_storeu_ps(h + i,
                         _mm256_mul_ps(silu8(_mm256_loadu_ps(h + i)), _mm256_loadu_ps(h + M + i)));
    for (; i < M; i++) h[i] = h[i] / (1.0f + expf(-h[i])) * h[M + i];
}

/* sum_i exp(v[i] - shift) over n floats, eight at a time; out (v itself, another array, or NULL)
 * gets the exps. */
static float exp_sum(const float *v, float *out, long n, float shift) {
    __m256 acc = _mm256_setzero_ps();
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(v + i), _mm256_set1_ps(shift)));
        if (out) _mm256_storeu_ps(out + i, e);
        acc = _mm256_add_ps(acc, e);
    }
    float total = sum8(acc);
    for (; i < n; i++) {
        const float e = expf(v[i] - shift);
        if (out) out[i] = e;
        total += e;
    }
    return total;
}

/* One query per head against keys/values 0..len-1 of the cache; heads split between the threads.
 * q, out: (H * D); k, v: key/value head g starts at g * head_stride, key j at + j * D (float32, or
 * bfloat16 when kv16 is set: then q is spread per head, see spread_x); query head h
 * reads key/value head h / group (grouped-query attention: `group` query heads share one; 1 for
 * plain multi-head attention). scores: H * len floats. A thread reads the keys of all its heads
 * side by side, then their values side by side (as the products do, see bands_step), rather than
 * head after head, each head's few tens of KB a stream of its own; the query heads of one group
 * fall to the same thread (but where the split cuts a group), so their shared keys are read from
 * memory once. */
static void attend(const float *q, const void *k, const void *v, float *out, float *scores, long H,
                   long group, long D, long len, long head_stride, int kv16, int threads) {
    const float scale = 1.0f / sqrtf((float)D);
    const long size = kv16 ? 2 : 4; /* bytes per cached value */
#pragma omp parallel num_threads(threads)
    {
        const int T = omp_get_num_threads(), t = omp_get_thread_num();
        const long first = H * t / T, last = H * (t + 1) / T;
        for (long j = 0; j < len; j += 8) { /* the scores, eight keys at a time */
            const long count = len - j < 8 ? len - j : 8;
            for (long h = first; h < last; h++) {
                const char *kh = (const char *)k + h / group * head_stride * size;
                _mm256_maskstore_ps(
                    scores + h * len + j, first_lanes(count),
                    _mm256_mul_ps(dots8(kh, j, count, q + h * D, D, kv16), _mm256_set1_ps(scale)));
            }
        }
        for (long h = first; h < last; h++) { /* softmax: s = exp(s - best) / their total */
            float *s = scores + h * len, best = -INFINITY;
            for (long j = 0; j < len; j++) best = s[j] > best ? s[j] : best;
            const float total = exp_sum(s, s, len, best);
            for (long j = 0; j < len; j++) s[j] = s[j] / total;
            for (long d = 0; d < D; d++) out[h * D + d] = 0.0f;
        }
        for (long j = 0; j < len; j++) /* the weighted sum of the values, one key at a time */
            for (long h = first; h < last; h++) {
                const float p = scores[h * len + j];
                const long at = h / group * head_stride + j * D;
                float *o = out + h * D;
                if (kv16) {
                    const uint16_t *vj = (const uint16_t *)v + at;
                    for (long d = 0; d < D; d++) o[d] += p * bf16_to_float(vj[d]);
                } else {
                    const float *vj = (const float *)v + at;
                    for (long d = 0; d < D; d++) o[d] += p * vj[d];
                }
            }
    }
}

/* The first of the largest logits and its probability at temperature 1, exp(0) / sum_i exp(logit_i
 * - largest), in two passes over the logits (still in the caches) on a fixed split between the
 * threads, so that the sum's order, and so its last bits, never change from run to run. -1 when a
 * logit is NaN or the largest is infinite (the caller then leaves the choice to PyTorch). */
enum {
    PARTS = 8
}; /* the vocabulary's fixed pieces: the sum is the same on any number of threads */

static long most_probable(const float *logits, long vocab, float *prob, int threads) {
    float best[PARTS], total[PARTS];
    long at[PARTS];
    int nan = 0;
#pragma omp parallel num_threads(threads) reduction(| : nan)
    {
        const int T = omp_get_num_threads(), t = omp_get_thread_num();
        for (int p = t; p < PARTS; p += T) {
            const long from = vocab * p / PARTS, to = vocab * (p + 1) / PARTS;
            float b = -INFINITY;
            long a = -1;
            for (long i = from; i < to; i++) {
                if (logits[i] > b) {
                    b = logits[i];
                    a = i;
                }
                nan |= logits[i] != logits[i];
            }
            best[p] = b;
            at[p] = a;
        }
#pragma omp barrier
        float b = -INFINITY;
        for (int u = 0; u < PARTS; u++) /* every thread finds the same overall largest */
            b = best[u] > b ? best[u] : b;
        for (int p = t; p < PARTS; p += T) /* (unused when b is not finite: -1 then) */
            total[p] = exp_sum(logits + vocab * p / PARTS, NULL,
                               vocab * (p + 1) / PARTS - vocab * p / PARTS, b);
    }
    long chosen = -1;
    float sum = 0.0f;
    for (int p = 0; p < PARTS; p++) {
        if (at[p] >= 0 && (chosen < 0 || logits[at[p]] > logits[chosen]))
            chosen = at[p]; /* the pieces are in order: on a tie the lower index stays */
        sum += total[p];
    }
    if (nan || chosen < 0 || !isfinite(logits[chosen])) return -1;
    *prob = 1.0f / sum;
    return chosen;
}

/* The tensors of the model, in this order in the params array (NULL for what the model lacks: a
 * bias, a LayerNorm shift, the position table of a model with rotary positions or the rotary tables
 * of one with a position table, QK-norm): the token and position embedding matrices, the cos and
 * sin tables of rotary positions ((positions, D/2) each), then PER_BLOCK per block, then the final
 * norm and the output layer. */
enum { TOK_EMB, POS_EMB, ROPE_COS, ROPE_SIN, FIRST_BLOCK };
enum {
    LN1_W,
    LN1_B,
    QKV_W,
    QKV_B,
    Q_NORM_W, /* RMSNorm over each head's D queries, before the rotation (Qwen3) */
    K_NORM_W, /* and over each key/value head's D keys */
    PROJ_W,
    PROJ_B,
    LN2_W,
    LN2_B,
    FC_W,
    FC_B,
    FC2_W,
    FC2_B,
    PER_BLOCK
};
enum { LNF_W, LNF_B, HEAD_W, HEAD_B };

/* The model's shape, in this order in the shape array: layers, the width C of the residual stream,
 * query heads H, key/value heads KV (H a multiple of it), the head width D, the MLP's inner width
 * M, the vocabulary, 1 for RMSNorm (0: LayerNorm), 1 for SwiGLU (0: GELU), 1 for a bfloat16 model
 * (0: float32). */
enum {
    N_LAYER,
    N_EMBD,
    N_HEAD,
    N_KV_HEAD,
    HEAD_DIM,
    MLP_HIDDEN,
    VOCAB,
    RMSNORM,
    SWIGLU,
    BF16,
    SHAPE
};

/* n values of a model's tensor from index i on, as float32: in place in a float32 model; in a
 * bfloat16 one, widened into *room, which moves past them. NULL stays NULL. */
static const float *as_f32(const void *p, long i, long n, int w16, float **room) {
    if (!p || !w16) return p ? (const float *)p + i : NULL;
    float *out = *room;
    for (long j = 0; j < n; j++) out[j] = bf16_to_float(((const uint16_t *)p)[i + j]);
    *room += n;
    return out;
}

/* params: FIRST_BLOCK + n_layer * PER_BLOCK + 4 pointers; shape: SHAPE longs (see above). In a
 * bfloat16 model every tensor and both caches are bfloat16 but the RoPE tables, which are float32,
 * and the activations stay float32 from one operation to the next (the keys and values are rounded
 * when stored in the caches); C, H * D and M are multiples of 16. k_cache, v_cache: (n_layer, 1,
 * KV, max_len, D) contiguous; the new token's keys and values go to position pos, and attention
 * reads positions 0..pos. logits: vocab floats. token: the new token's id, pos: its position (the
 * two that change from one token of a generation to the next come last, so that the caller can fix
 * all the others once: kernel.DecodeStep.bind). One block, as gpt.Block: h = norm1(x);  q, k, v = h
 * @ Wqkv + b;  q, k = RMSNorm of each head (QK-norm);  q, k rotated (RoPE);  k, v stored in the
 * cache;  x += attention(q, cached keys and values) @ Wproj + b; x += MLP(norm2(x)), the MLP being
 * GELU(h @ Wfc + b) @ Wproj2 + b or, with SwiGLU, (silu(gate) * up) @ Wproj2 + b where [gate; up] =
 * h @ Wfc + b. Returns the most probable next token (the first of equal largest logits) and sets
 * *prob to its probability (softmax at temperature 1), both found while the logits are still in the
 * caches; -1 when a logit is NaN or the largest is infinite, -2 (having done nothing) when there is
 * no memory for the step's few activations. */
long llmzero_decode_step(const void *const *params, const long *shape, float eps, void *k_cache,
                         void *v_cache, long max_len, float *logits, float *prob, int threads,
                         long token, long pos) {
    const long n_layer = shape[N_LAYER], C = shape[N_EMBD], H = shape[N_HEAD];
    const long KV = shape[N_KV_HEAD], D = shape[HEAD_DIM], M = shape[MLP_HIDDEN];
    const long vocab = shape[VOCAB], fc_rows = (shape[SWIGLU] ? 2 : 1) * M;
    const int rms = shape[RMSNORM] != 0, w16 = shape[BF16] != 0;
    const long head_stride = max_len * D, layer_stride = KV * head_stride, width = (H + 2 * KV) * D;
    const long widest = C > H * D ? (C > M ? C : M) : (H * D > M ? H * D : M);
    const long room_size = 8 * C + width + 2 * D + fc_rows + vocab;
    float *x = malloc((2 * C + width + 2 * H * D + fc_rows + H * (pos + 1) + widest + room_size) *
                      sizeof(float));
    if (!x) return -2;
    float *h = x + C, *qkv = h + C, *att = qkv + width, *hidden = att + H * D,
          *scores = hidden + fc_rows, *spread = scores + H * (pos + 1), *q_spread = spread + widest,
          *room = q_spread + H * D;
    float *q = qkv, *k = qkv + H * D, *v = k + KV * D;
    float *r = room;
    const float *tok = as_f32(params[TOK_EMB], token * C, C, w16, &r);
    const float *at_pos = as_f32(params[POS_EMB], pos * C, C, w16, &r);
    for (long i = 0; i < C; i++) x[i] = tok[i] + (at_pos ? at_pos[i] : 0.0f);
    for (long l = 0; l < n_layer; l++) {
        const void *const *p = params + FIRST_BLOCK + l * PER_BLOCK;
        const long cache_at = l * layer_stride * (w16 ? 2 : 4); /* this layer's, in bytes */
        char *kl = (char *)k_cache + cache_at, *vl = (char *)v_cache + cache_at;
        r = room; /* the block's small tensors in float32 (a bfloat16 model's) */
        const float *ln1_w = as_f32(p[LN1_W], 0, C, w16, &r),
                    *ln1_b = as_f32(p[LN1_B], 0, C, w16, &r);
        const float *qkv_b = as_f32(p[QKV_B], 0, width, w16, &r);
        const float *q_norm = as_f32(p[Q_NORM_W], 0, D, w16, &r),
                    *k_norm = as_f32(p[K_NORM_W], 0, D, w16, &r);
        const float *proj_b = as_f32(p[PROJ_B], 0, C, w16, &r);
        const float *ln2_w = as_f32(p[LN2_W], 0, C, w16, &r),
                    *ln2_b = as_f32(p[LN2_B], 0, C, w16, &r);
        const float *fc_b = as_f32(p[FC_B], 0, fc_rows, w16, &r),
                    *fc2_b = as_f32(p[FC2_B], 0, C, w16, &r);
        norm(rms, x, ln1_w, ln1_b, h, C, eps);
        step_gemv(p[QKV_W], h, qkv_b, qkv, width, C, 0, w16, spread, threads);
        if (q_norm) {
            for (long hd = 0; hd < H; hd++) rms_norm(q + hd * D, q_norm, q + hd * D, D, eps);
            for (long hd = 0; hd < KV; hd++) rms_norm(k + hd * D, k_norm, k + hd * D, D, eps);
        }
        if (params[ROPE_COS]) {
            const float *cos = (const float *)params[ROPE_COS] + pos * (D / 2),
                        *sin = (const float *)params[ROPE_SIN] + pos * (D / 2);
            rotate(q, H, D, cos, sin);
            rotate(k, KV, D, cos, sin);
        }
        for (long hd = 0; hd < KV; hd++)
            for (long d = 0; d < D; d++) {
                const long at = hd * head_stride + pos * D + d;
                if (w16) {
                    ((uint16_t *)kl)[at] = float_to_bf16(k[hd * D + d]);
                    ((uint16_t *)vl)[at] = float_to_bf16(v[hd * D + d]);
                } else {
                    ((float *)kl)[at] = k[hd * D + d];
                    ((float *)vl)[at] = v[hd * D + d];
                }
            }
        if (w16) spread_f32(q, q_spread, H * D); /* (D a multiple of 16: heads stay apart) */
        attend(w16 ? q_spread : q, kl, vl, att, scores, H, H / KV, D, pos + 1, head_stride, w16,
               threads);
        step_gemv(p[PROJ_W], att, proj_b, h, C, H * D, 0, w16, spread, threads);
        for (long i = 0; i < C; i++) x[i] += h[i];
        norm(rms, x, ln2_w, ln2_b, h, C, eps);
        step_gemv(p[FC_W], h, fc_b, hidden, fc_rows, C, !shape[SWIGLU], w16, spread, threads);
        if (shape[SWIGLU]) swiglu(hidden, M);
        step_gemv(p[FC2_W], hidden, fc2_b, h, C, M, 0, w16, spread, threads);
        for (long i = 0; i < C; i++) x[i] += h[i];
    }
    const void *const *f = params + FIRST_BLOCK + n_layer * PER_BLOCK;
    r = room;
    const float *lnf_w = as_f32(f[LNF_W], 0, C, w16, &r), *lnf_b = as_f32(f[LNF_B], 0, C, w16, &r);
    const float *head_b = as_f32(f[HEAD_B], 0, vocab, w16, &r);
    norm(rms, x, lnf_w, lnf_b, h, C, eps);
    step_gemv(f[HEAD_W], h, head_b, logits, vocab, C, 0, w16, spread, threads);
    free(x);
    return most_probable(logits, vocab, prob, threads);
}
