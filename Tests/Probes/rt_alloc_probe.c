// Loaded with LD_PRELOAD into a process whose JACK client is named $CONTINUO_RT_PROBE_CLIENT:
// wraps that client's process callback and counts, on the thread running it, every
// call into the allocator and every pthread mutex lock. At exit it appends one line to
// $CONTINUO_RT_PROBE_OUT:
//   client=NAME callbacks=N allocations=N frees=N locks=N
// so a test can hold the whole real-time path (our callback, libjack's MIDI calls, the Swift
// runtime) to "allocates nothing, locks nothing", which the compile-time checks see only in parts.
//
// With $CONTINUO_RT_PROBE_THREAD instead, it watches the thread of that name that talks to the
// ALSA sequencer: each of its loops ends in ppoll (waiting for input or the next period), so
// what it does between two ppoll calls is one loop, counted (callbacks = loops); what it does
// before its first wait and after its last (starting and ending the thread) is not.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jack/jack.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

/* 1: inside the JACK callback; 2: inside a loop of the watched sequencer thread (counted once
   the loop reaches its next wait). */
static __thread int in_callback;
static __thread int watched_thread;   /* 0 not known yet, 1 watched, -1 not */
static __thread long loop_allocations, loop_frees, loop_locks;
static atomic_long callbacks, allocations, frees, locks;
static JackProcessCallback wrapped_callback;
static char client_name[128];

static int probe_process(jack_nframes_t frames, void *argument) {
    in_callback = 1;
    int result = wrapped_callback(frames, argument);
    in_callback = 0;
    atomic_fetch_add(&callbacks, 1);
    return result;
}

int jack_set_process_callback(jack_client_t *client, JackProcessCallback callback, void *argument) {
    static int (*real)(jack_client_t *, JackProcessCallback, void *);
    if (!real) real = (int (*)(jack_client_t *, JackProcessCallback, void *))dlsym(RTLD_NEXT, "jack_set_process_callback");
    const char *want = getenv("CONTINUO_RT_PROBE_CLIENT");
    const char *name = jack_get_client_name(client);
    if (want && name && strcmp(name, want) == 0) {
        wrapped_callback = callback;
        snprintf(client_name, sizeof client_name, "%s", name);
        return real(client, probe_process, argument);
    }
    return real(client, callback, argument);
}

int ppoll(struct pollfd *fds, nfds_t count, const struct timespec *timeout, const sigset_t *mask) {
    static int (*real)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
    if (!real) real = (int (*)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *))dlsym(RTLD_NEXT, "ppoll");
    if (watched_thread == 0) {
        const char *want = getenv("CONTINUO_RT_PROBE_THREAD");
        char name[32] = "";
        pthread_getname_np(pthread_self(), name, sizeof name);
        watched_thread = want && strcmp(name, want) == 0 ? 1 : -1;
        if (watched_thread == 1) snprintf(client_name, sizeof client_name, "%s", name);
    }
    if (watched_thread != 1) return real(fds, count, timeout, mask);
    if (in_callback == 2) {
        atomic_fetch_add(&allocations, loop_allocations);
        atomic_fetch_add(&frees, loop_frees);
        atomic_fetch_add(&locks, loop_locks);
        atomic_fetch_add(&callbacks, 1);
    }
    loop_allocations = loop_frees = loop_locks = 0;
    in_callback = 0;
    int result = real(fds, count, timeout, mask);
    in_callback = 2;
    return result;
}

static void count_allocation(void) {
    if (in_callback == 1) atomic_fetch_add(&allocations, 1);
    else if (in_callback == 2) loop_allocations++;
}

void *malloc(size_t size) { count_allocation(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count_allocation(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count_allocation(); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { count_allocation(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count_allocation(); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    count_allocation();
    void *p = __libc_memalign(alignment, size);
    if (!p) return 12; // ENOMEM
    *out = p;
    return 0;
}
void free(void *p) {
    if (in_callback == 1 && p) atomic_fetch_add(&frees, 1);
    else if (in_callback == 2 && p) loop_frees++;
    __libc_free(p);
}

int pthread_mutex_lock(pthread_mutex_t *mutex) {
    static int (*real)(pthread_mutex_t *);
    if (!real) real = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_lock");
    if (in_callback == 1) atomic_fetch_add(&locks, 1);
    else if (in_callback == 2) loop_locks++;
    return real(mutex);
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("CONTINUO_RT_PROBE_OUT");
    if (!path || atomic_load(&callbacks) == 0) return;
    FILE *out = fopen(path, "a");
    if (!out) return;
    fprintf(out, "client=%s callbacks=%ld allocations=%ld frees=%ld locks=%ld\n", client_name,
            atomic_load(&callbacks), atomic_load(&allocations), atomic_load(&frees), atomic_load(&locks));
    fclose(out);
}
