#include <alsa/asoundlib.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

/* glibc declares ppoll only under _GNU_SOURCE, which a module's headers cannot count on. */
extern int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask);

/* The sequencer API's setters are macros and its info structs are opaque with alloca
   constructors; Swift sees neither, so these small wrappers do what each step needs. */

/* A duplex client named `name`; non-blocking, so input is polled with a timeout. */
static inline int continuo_seq_open(snd_seq_t **seq, const char *name) {
    int err = snd_seq_open(seq, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);
    if (err < 0) return err;
    snd_seq_set_client_name(*seq, name);
    return snd_seq_client_id(*seq);
}

/* A queue, started: its real-time clock stamps input and schedules output. */
static inline int continuo_seq_start_queue(snd_seq_t *seq) {
    int queue = snd_seq_alloc_named_queue(seq, "continuo");
    if (queue < 0) return queue;
    int err = snd_seq_start_queue(seq, queue, NULL);
    if (err < 0) return err;
    snd_seq_drain_output(seq);
    return queue;
}

/* A MIDI port others write to (input) or read from (output); input events are stamped with
   the queue's real time when they arrive. */
static inline int continuo_seq_create_port(snd_seq_t *seq, const char *name, int input, int queue) {
    snd_seq_port_info_t *info;
    snd_seq_port_info_alloca(&info);
    snd_seq_port_info_set_name(info, name);
    snd_seq_port_info_set_capability(info, input ? (SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE)
                                                 : (SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ));
    snd_seq_port_info_set_type(info, SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION);
    if (input && queue >= 0) {
        snd_seq_port_info_set_timestamping(info, 1);
        snd_seq_port_info_set_timestamp_real(info, 1);
        snd_seq_port_info_set_timestamp_queue(info, queue);
    }
    int err = snd_seq_create_port(seq, info);
    if (err < 0) return err;
    return snd_seq_port_info_get_port(info);
}

/* The queue's real time in nanoseconds, or a negative error. */
static inline long long continuo_seq_queue_time(snd_seq_t *seq, int queue) {
    snd_seq_queue_status_t *status;
    snd_seq_queue_status_alloca(&status);
    int err = snd_seq_get_queue_status(seq, queue, status);
    if (err < 0) return err;
    const snd_seq_real_time_t *t = snd_seq_queue_status_get_real_time(status);
    return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* Sends one short MIDI message from `port` to its subscribers, scheduled on `queue` at real
   time `ns` (the sequencer plays it then, whenever it was sent); `ns` < 0 sends it now.
   Returns 0, or a negative error (-EINVAL: not a message the sequencer carries). */
static inline int continuo_seq_send(snd_seq_t *seq, snd_midi_event_t *encoder, int port, int queue,
                                    const unsigned char *bytes, int length, long long ns) {
    snd_seq_event_t ev;
    snd_seq_ev_clear(&ev);
    snd_midi_event_reset_encode(encoder);
    long used = snd_midi_event_encode(encoder, bytes, length, &ev);
    if (used <= 0 || ev.type == SND_SEQ_EVENT_NONE) return -EINVAL;
    snd_seq_ev_set_source(&ev, port);
    snd_seq_ev_set_subs(&ev);
    if (ns >= 0) {
        snd_seq_real_time_t t = { (unsigned int)(ns / 1000000000LL), (unsigned int)(ns % 1000000000LL) };
        snd_seq_ev_schedule_real(&ev, queue, 0, &t);
    } else {
        snd_seq_ev_set_direct(&ev);
    }
    int err = snd_seq_event_output(seq, &ev);
    if (err < 0) return err;
    err = snd_seq_drain_output(seq);
    return err < 0 ? err : 0;
}

/* Drops every event scheduled from this client and not yet delivered (a flush). */
static inline int continuo_seq_drop_scheduled(snd_seq_t *seq) {
    int err = snd_seq_drop_output(seq);
    if (err < 0) return err;
    snd_seq_remove_events_t *remove;
    snd_seq_remove_events_alloca(&remove);
    snd_seq_remove_events_set_condition(remove, SND_SEQ_REMOVE_OUTPUT);
    return snd_seq_remove_events(seq, remove);
}

/* What `continuo_seq_receive` found. */
typedef struct {
    int kind;              /* 0 nothing, 1 MIDI bytes, 2 a port appeared, 3 a port went away, 4 other */
    int length;            /* MIDI bytes written */
    long long ns;          /* the event's real-time stamp, -1 when it has none */
    int client, port;      /* source (MIDI) or the port that appeared or went away */
} continuo_seq_input;

/* Waits up to `timeout_ns` (0: not at all) for one event and decodes it. ppoll, not poll:
   the sequencer thread wakes once a period, which is finer than a millisecond. */
static inline int continuo_seq_receive(snd_seq_t *seq, snd_midi_event_t *decoder, long long timeout_ns,
                                       unsigned char *bytes, int capacity, continuo_seq_input *out) {
    out->kind = 0; out->length = 0; out->ns = -1; out->client = -1; out->port = -1;
    if (snd_seq_event_input_pending(seq, 1) <= 0) {
        int count = snd_seq_poll_descriptors_count(seq, POLLIN);
        struct pollfd fds[4];
        if (count > 4) count = 4;
        snd_seq_poll_descriptors(seq, fds, count, POLLIN);
        if (timeout_ns < 0) timeout_ns = 0;
        struct timespec timeout = { (time_t)(timeout_ns / 1000000000LL), (long)(timeout_ns % 1000000000LL) };
        int ready = ppoll(fds, count, &timeout, NULL);
        if (ready < 0) return -errno;
        if (ready == 0) return 0;
    }
    snd_seq_event_t *ev = NULL;
    int err = snd_seq_event_input(seq, &ev);
    if (err == -EAGAIN) return 0;
    if (err < 0 || ev == NULL) return err;
    out->client = ev->source.client;
    out->port = ev->source.port;
    if (snd_seq_ev_is_real(ev)) out->ns = (long long)ev->time.time.tv_sec * 1000000000LL + ev->time.time.tv_nsec;
    switch (ev->type) {
    case SND_SEQ_EVENT_PORT_START:
    case SND_SEQ_EVENT_PORT_EXIT:
        out->kind = ev->type == SND_SEQ_EVENT_PORT_START ? 2 : 3;
        out->client = ev->data.addr.client;
        out->port = ev->data.addr.port;
        return 1;
    default: {
        snd_midi_event_reset_decode(decoder);
        long n = snd_midi_event_decode(decoder, bytes, capacity, ev);
        if (n > 0) { out->kind = 1; out->length = (int)n; } else { out->kind = 4; }
        return 1;
    }
    }
}

/* Walks the ports others can connect to: calls back with client, port, the client's name and
   the port's name and capabilities. */
typedef void (*continuo_seq_port_visitor)(void *context, int client, int port, const char *client_name,
                                           const char *port_name, unsigned int capability);

static inline void continuo_seq_each_port(snd_seq_t *seq, void *context, continuo_seq_port_visitor visit) {
    snd_seq_client_info_t *client;
    snd_seq_port_info_t *port;
    snd_seq_client_info_alloca(&client);
    snd_seq_port_info_alloca(&port);
    snd_seq_client_info_set_client(client, -1);
    while (snd_seq_query_next_client(seq, client) >= 0) {
        int id = snd_seq_client_info_get_client(client);
        snd_seq_port_info_set_client(port, id);
        snd_seq_port_info_set_port(port, -1);
        while (snd_seq_query_next_port(seq, port) >= 0) {
            visit(context, id, snd_seq_port_info_get_port(port), snd_seq_client_info_get_name(client),
                  snd_seq_port_info_get_name(port), snd_seq_port_info_get_capability(port));
        }
    }
}
