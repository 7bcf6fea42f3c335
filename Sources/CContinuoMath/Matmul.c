#include "ContinuoMath.h"
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

// libgomp's entry points, declared here because omp.h lives in gcc's private include folder.
extern void omp_set_num_threads(int count);
extern int omp_get_max_threads(void);

typedef struct {
    int transpose_a, transpose_b, a_type, b_type;
    int threads; // oneDNN splits the work when it creates the primitive, for the threads of that moment
    int64_t m, n, k, lda, ldb, ldc;
    float alpha, beta;
} product_key;

typedef struct {
    product_key key;
    dnnl_primitive_t primitive;
    dnnl_memory_t a, b, c;
} product_entry;

enum { cache_capacity = 48, cm_vector_rows = 16 };

typedef struct {
    dnnl_stream_t stream;
    product_entry entries[cache_capacity];
    int count, next_victim, applied_threads, emulate_bf16;
    void *scratch[4]; // 0, 1: bf16 operands; 2, 3: bf16-valued float32 operands
    size_t scratch_bytes[4];
} thread_products;

static dnnl_engine_t engine;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static dnnl_status_t engine_status = dnnl_success;
static pthread_key_t products_key;
static atomic_int requested_threads = 0;
// Set once oneDNN has refused a bf16 product (it has none below AVX-512): from then on bf16
// products round their operands to bf16 and run on the float32 kernels. The result is the same
// sum (a product of two bf16 values is exact in float32), only slower.
static atomic_int bf16_unavailable = 0;
static atomic_int bf16_native = -1; // -1: not asked yet

int cm_bf16_native(void) {
    int native = atomic_load_explicit(&bf16_native, memory_order_relaxed);
    if (native < 0) {
        // dnnl_cpu_isa_t values are bit sets: AMX includes every avx512_core_bf16 bit.
        const int isa = (int)dnnl_get_effective_cpu_isa();
        native = (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
        atomic_store_explicit(&bf16_native, native, memory_order_relaxed);
    }
    return native && !atomic_load_explicit(&bf16_unavailable, memory_order_relaxed);
}

static void release_entry(product_entry *e) {
    dnnl_primitive_destroy(e->primitive);
    dnnl_memory_destroy(e->a);
    dnnl_memory_destroy(e->b);
    dnnl_memory_destroy(e->c);
}

static void release_thread_products(void *pointer) {
    thread_products *p = pointer;
    for (int i = 0; i < p->count; i++) release_entry(&p->entries[i]);
    if (p->stream) dnnl_stream_destroy(p->stream);
    for (int i = 0; i < 4; i++) free(p->scratch[i]);
    free(p);
}

static void create_engine(void) {
    engine_status = dnnl_engine_create(&engine, dnnl_cpu, 0);
    pthread_key_create(&products_key, release_thread_products);
}

static thread_products *this_thread(void) {
    pthread_once(&engine_once, create_engine);
    if (engine_status != dnnl_success) return NULL;
    thread_products *p = pthread_getspecific(products_key);
    if (p) return p;
    p = calloc(1, sizeof *p);
    if (!p) return NULL;
    if (dnnl_stream_create(&p->stream, engine, dnnl_stream_default_flags) != dnnl_success) {
        free(p);
        return NULL;
    }
    pthread_setspecific(products_key, p);
    return p;
}

static void apply_threads(thread_products *p) {
    const int wanted = atomic_load_explicit(&requested_threads, memory_order_relaxed);
    if (wanted > 0 && wanted != p->applied_threads) {
        omp_set_num_threads(wanted);
        p->applied_threads = wanted;
    }
}

void cm_set_threads(int count) {
    atomic_store_explicit(&requested_threads, count < 1 ? 1 : count, memory_order_relaxed);
}

int cm_threads(void) {
    const int wanted = atomic_load_explicit(&requested_threads, memory_order_relaxed);
    return wanted > 0 ? wanted : omp_get_max_threads();
}

// A stored [rows, cols] matrix with leading dimension ld, read as op(X) of shape [r, c].
static dnnl_status_t describe(dnnl_memory_desc_t *d, int transposed, int64_t r, int64_t c, int64_t ld,
                              dnnl_data_type_t type) {
    dnnl_dims_t dims = {r, c};
    dnnl_dims_t strides = {transposed ? 1 : ld, transposed ? ld : 1};
    return dnnl_memory_desc_init_by_strides(d, 2, dims, type, strides);
}

static dnnl_data_type_t data_type(int type) { return type == cm_bf16 ? dnnl_bf16 : dnnl_f32; }

static dnnl_status_t create_entry(const product_key *key, product_entry *e) {
    dnnl_memory_desc_t a, b, c;
    dnnl_status_t s;
    if ((s = describe(&a, key->transpose_a, key->m, key->k, key->lda, data_type(key->a_type)))) return s;
    if ((s = describe(&b, key->transpose_b, key->k, key->n, key->ldb, data_type(key->b_type)))) return s;
    if ((s = describe(&c, 0, key->m, key->n, key->ldc, dnnl_f32))) return s;
    dnnl_matmul_desc_t desc;
    if ((s = dnnl_matmul_desc_init(&desc, &a, &b, NULL, &c))) return s;
    dnnl_primitive_attr_t attr;
    if ((s = dnnl_primitive_attr_create(&attr))) return s;
    dnnl_post_ops_t post_ops = NULL;
    if (key->alpha != 1.0f) s = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &key->alpha);
    if (!s && key->beta != 0.0f) {
        s = dnnl_post_ops_create(&post_ops);
        if (!s) s = dnnl_post_ops_append_sum(post_ops, key->beta);
        if (!s) s = dnnl_primitive_attr_set_post_ops(attr, post_ops);
    }
    dnnl_primitive_desc_t pd = NULL;
    if (!s) s = dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL);
    if (post_ops) dnnl_post_ops_destroy(post_ops);
    dnnl_primitive_attr_destroy(attr);
    if (s) return s;
    s = dnnl_primitive_create(&e->primitive, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s) return s;
    e->a = e->b = e->c = NULL;
    if (!(s = dnnl_memory_create(&e->a, &a, engine, DNNL_MEMORY_NONE)) &&
        !(s = dnnl_memory_create(&e->b, &b, engine, DNNL_MEMORY_NONE)) &&
        !(s = dnnl_memory_create(&e->c, &c, engine, DNNL_MEMORY_NONE))) {
        e->key = *key;
        return dnnl_success;
    }
    release_entry(e);
    return s;
}

static product_entry *find_or_create(thread_products *p, const product_key *key, dnnl_status_t *status) {
    for (int i = 0; i < p->count; i++)
        if (memcmp(&p->entries[i].key, key, sizeof *key) == 0) return &p->entries[i];
    product_entry fresh;
    if ((*status = create_entry(key, &fresh))) return NULL;
    int slot = p->count;
    if (p->count == cache_capacity) {
        slot = p->next_victim;
        p->next_victim = (p->next_victim + 1) % cache_capacity;
        release_entry(&p->entries[slot]);
    } else {
        p->count++;
    }
    p->entries[slot] = fresh;
    return &p->entries[slot];
}

static void *scratch(thread_products *p, int slot, size_t bytes) {
    if (p->scratch_bytes[slot] < bytes) {
        void *grown = realloc(p->scratch[slot], bytes);
        if (!grown) return NULL;
        p->scratch[slot] = grown;
        p->scratch_bytes[slot] = bytes;
    }
    return p->scratch[slot];
}

// Brings one operand, op(X) of shape [r, c] stored with leading dimension *ld, to `target`
// (cm_bf16, or bf16-valued float32) in this thread's scratch slot, packed; an operand already
// of that kind is used where it lies. Returns 0, or dnnl_out_of_memory.
static int convert_operand(thread_products *p, int slot, int transposed, size_t r, size_t c, const void **x,
                           cm_type *type, size_t *ld, cm_type target) {
    if (*type == target) return 0;
    const size_t rows = transposed ? c : r, cols = transposed ? r : c;
    const size_t width = target == cm_bf16 ? sizeof(uint16_t) : sizeof(float);
    void *out = scratch(p, slot, rows * cols * width);
    if (!out) return dnnl_out_of_memory;
    for (size_t row = 0; row < rows; row++) {
        if (target == cm_bf16) {
            // float32 or bf16-valued float32 (exact either way).
            cm_to_bf16(cols, (const float *)*x + row * *ld, (uint16_t *)out + row * cols);
        } else if (*type == cm_bf16) {
            cm_from_bf16(cols, (const uint16_t *)*x + row * *ld, (float *)out + row * cols);
        } else {
            cm_round_to_bf16_values(cols, (const float *)*x + row * *ld, (float *)out + row * cols);
        }
    }
    *x = out;
    *type = target;
    *ld = cols;
    return 0;
}

int cm_matmul(int transpose_a, int transpose_b, size_t m, size_t n, size_t k, float alpha,
              const void *a, cm_type a_type, size_t lda, const void *b, cm_type b_type, size_t ldb,
              float beta, float *c, size_t ldc, int compute_bf16) {
    if (m == 0 || n == 0) return 0;
    if (k == 0) {
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
        return 0;
    }
    thread_products *p = this_thread();
    if (!p) return engine_status ? (int)engine_status : (int)dnnl_out_of_memory;
    apply_threads(p);
    if (compute_bf16) {
        // Natively: bf16 operands for oneDNN's bf16 kernels. Otherwise the same values as
        // float32 for the float32 kernels (slots 2 and 3, so a retry never reads what it writes).
        const int native = !p->emulate_bf16 && cm_bf16_native();
        const cm_type target = native ? cm_bf16 : cm_f32_bf16_valued;
        const int slot = native ? 0 : 2;
        int s = convert_operand(p, slot, transpose_a, m, k, &a, &a_type, &lda, target);
        if (!s) s = convert_operand(p, slot + 1, transpose_b, k, n, &b, &b_type, &ldb, target);
        if (s) return s;
        compute_bf16 = native;
    }
    // From here a bf16-valued operand is an ordinary float32 one.
    if (a_type == cm_f32_bf16_valued) a_type = cm_f32;
    if (b_type == cm_f32_bf16_valued) b_type = cm_f32;
    if (!compute_bf16 && a_type == cm_f32 && b_type == cm_f32 && m <= cm_vector_rows) {
        // Matrix-vector shapes: oneDNN's BLAS-style sgemm has gemv kernels; the matmul
        // primitive's blocked kernels run these 4-5x slower. (dnnl_sgemm is row-major.)
        return (int)dnnl_sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', (int64_t)m, (int64_t)n,
                               (int64_t)k, alpha, a, (int64_t)lda, b, (int64_t)ldb, beta, c, (int64_t)ldc);
    }
    product_key key;
    memset(&key, 0, sizeof key); // padding takes part in memcmp
    key.transpose_a = transpose_a != 0;
    key.transpose_b = transpose_b != 0;
    key.a_type = a_type;
    key.b_type = b_type;
    key.m = (int64_t)m; key.n = (int64_t)n; key.k = (int64_t)k;
    key.lda = (int64_t)lda; key.ldb = (int64_t)ldb; key.ldc = (int64_t)ldc;
    key.alpha = alpha;
    key.beta = beta;
    key.threads = omp_get_max_threads();
    dnnl_status_t s = dnnl_success;
    product_entry *e = find_or_create(p, &key, &s);
    if (!e && s == dnnl_unimplemented && compute_bf16) {
        atomic_store_explicit(&bf16_unavailable, 1, memory_order_relaxed);
        // Operands already rounded to bf16 stay so; the retry widens them.
        return cm_matmul(transpose_a, transpose_b, m, n, k, alpha, a, a_type, lda, b, b_type, ldb, beta, c, ldc, 1);
    }
    if (!e) return (int)s;
    dnnl_memory_set_data_handle_v2(e->a, (void *)a, p->stream);
    dnnl_memory_set_data_handle_v2(e->b, (void *)b, p->stream);
    dnnl_memory_set_data_handle_v2(e->c, c, p->stream);
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, e->a}, {DNNL_ARG_WEIGHTS, e->b}, {DNNL_ARG_DST, e->c}};
    if ((s = dnnl_primitive_execute(e->primitive, p->stream, 3, args))) return (int)s;
    return (int)dnnl_stream_wait(p->stream);
}

int cm_matmul_implementation(size_t m, size_t n, size_t k, int bf16, char *out, size_t capacity) {
    pthread_once(&engine_once, create_engine);
    if (engine_status) return (int)engine_status;
    dnnl_memory_desc_t a, b, c;
    dnnl_status_t s;
    const dnnl_data_type_t type = bf16 ? dnnl_bf16 : dnnl_f32;
    if ((s = describe(&a, 0, (int64_t)m, (int64_t)k, (int64_t)k, type))) return s;
    if ((s = describe(&b, 1, (int64_t)k, (int64_t)n, (int64_t)k, type))) return s;
    if ((s = describe(&c, 0, (int64_t)m, (int64_t)n, (int64_t)n, dnnl_f32))) return s;
    dnnl_matmul_desc_t desc;
    if ((s = dnnl_matmul_desc_init(&desc, &a, &b, NULL, &c))) return s;
    dnnl_primitive_desc_t pd;
    if ((s = dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL))) return s;
    const char *name = NULL;
    s = dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
    if (!s && capacity > 0) {
        strncpy(out, name ? name : "", capacity - 1);
        out[capacity - 1] = 0;
    }
    dnnl_primitive_desc_destroy(pd);
    return (int)s;
}

void cm_emulate_bf16_on_this_thread(int emulate) {
    thread_products *p = this_thread();
    if (p) p->emulate_bf16 = emulate != 0;
}

int cm_effective_isa(void) { return (int)dnnl_get_effective_cpu_isa(); }

int cm_library_version(void) {
    const dnnl_version_t *v = dnnl_version();
    return v->major * 10000 + v->minor * 100 + v->patch;
}
