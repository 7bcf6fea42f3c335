#include <lv2/atom/atom.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/midi/midi.h>
#include <lv2/state/state.h>
#include <lv2/time/time.h>
#include <lv2/urid/urid.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The atom API is macros and variadic calls, which Swift sees neither of; these few helpers
   do what the plugin's run() needs, without allocating. */

/* The URIs the plugin maps at instantiation. */
typedef struct {
    LV2_URID midi_event, atom_blank, atom_object, atom_float, atom_double, atom_int, atom_long, atom_path, atom_string;
    LV2_URID time_position, time_bpm, time_bar, time_bar_beat, time_speed, time_beats_per_bar;
    LV2_URID log_error, log_warning, log_note;
} continuo_lv2_urids;

static inline void continuo_lv2_map_urids(const LV2_URID_Map *map, continuo_lv2_urids *u) {
    u->midi_event = map->map(map->handle, LV2_MIDI__MidiEvent);
    u->atom_blank = map->map(map->handle, LV2_ATOM__Blank);
    u->atom_object = map->map(map->handle, LV2_ATOM__Object);
    u->atom_float = map->map(map->handle, LV2_ATOM__Float);
    u->atom_double = map->map(map->handle, LV2_ATOM__Double);
    u->atom_int = map->map(map->handle, LV2_ATOM__Int);
    u->atom_long = map->map(map->handle, LV2_ATOM__Long);
    u->atom_path = map->map(map->handle, LV2_ATOM__Path);
    u->atom_string = map->map(map->handle, LV2_ATOM__String);
    u->time_position = map->map(map->handle, LV2_TIME__Position);
    u->time_bpm = map->map(map->handle, LV2_TIME__beatsPerMinute);
    u->time_bar = map->map(map->handle, LV2_TIME__bar);
    u->time_bar_beat = map->map(map->handle, LV2_TIME__barBeat);
    u->time_speed = map->map(map->handle, LV2_TIME__speed);
    u->time_beats_per_bar = map->map(map->handle, LV2_TIME__beatsPerBar);
    u->log_error = map->map(map->handle, LV2_LOG__Error);
    u->log_warning = map->map(map->handle, LV2_LOG__Warning);
    u->log_note = map->map(map->handle, LV2_LOG__Note);
}

/* One input event as run() sees it: kind 1 a short MIDI message (bytes, length), kind 2 a
   time:Position (the fields present have their bit set in `fields`: 1 bpm, 2 bar, 4 barBeat,
   8 speed, 16 beatsPerBar). */
typedef struct {
    int kind;
    int64_t frame;
    uint8_t bytes[3];
    int length;
    unsigned fields;
    double bpm, bar, bar_beat, speed, beats_per_bar;
} continuo_lv2_event;

static inline double continuo_lv2_number(const continuo_lv2_urids *u, const LV2_Atom *a, int *ok) {
    *ok = 1;
    if (a->type == u->atom_float) return ((const LV2_Atom_Float *)a)->body;
    if (a->type == u->atom_double) return ((const LV2_Atom_Double *)a)->body;
    if (a->type == u->atom_int) return ((const LV2_Atom_Int *)a)->body;
    if (a->type == u->atom_long) return (double)((const LV2_Atom_Long *)a)->body;
    *ok = 0;
    return 0;
}

/* The event after `previous` (NULL: the first) in `sequence`, decoded into `out`; returns it,
   or NULL at the end. Events of other types come back with kind 0. */
static inline const LV2_Atom_Event *continuo_lv2_next(const LV2_Atom_Sequence *sequence, const LV2_Atom_Event *previous,
                                                       const continuo_lv2_urids *u, continuo_lv2_event *out) {
    const LV2_Atom_Event *ev = previous ? lv2_atom_sequence_next(previous) : lv2_atom_sequence_begin(&sequence->body);
    if (lv2_atom_sequence_is_end(&sequence->body, sequence->atom.size, ev)) return NULL;
    memset(out, 0, sizeof *out);
    out->frame = ev->time.frames;
    if (ev->body.type == u->midi_event) {
        uint32_t n = ev->body.size;
        if (n >= 1 && n <= 3) {
            const uint8_t *m = (const uint8_t *)(ev + 1);
            out->kind = 1;
            out->length = (int)n;
            for (uint32_t i = 0; i < n; ++i) out->bytes[i] = m[i];
        }
    } else if (ev->body.type == u->atom_object || ev->body.type == u->atom_blank) {
        const LV2_Atom_Object *object = (const LV2_Atom_Object *)&ev->body;
        if (object->body.otype == u->time_position) {
            out->kind = 2;
            LV2_ATOM_OBJECT_FOREACH(object, property) {
                int ok = 0;
                double value = continuo_lv2_number(u, &property->value, &ok);
                if (!ok) continue;
                if (property->key == u->time_bpm) { out->bpm = value; out->fields |= 1; }
                else if (property->key == u->time_bar) { out->bar = value; out->fields |= 2; }
                else if (property->key == u->time_bar_beat) { out->bar_beat = value; out->fields |= 4; }
                else if (property->key == u->time_speed) { out->speed = value; out->fields |= 8; }
                else if (property->key == u->time_beats_per_bar) { out->beats_per_bar = value; out->fields |= 16; }
            }
        }
    }
    return ev;
}

/* Empties an output sequence whose capacity the host set in atom.size, remembering it. */
static inline uint32_t continuo_lv2_clear(LV2_Atom_Sequence *sequence) {
    uint32_t capacity = sequence->atom.size;
    sequence->atom.type = 0;
    sequence->atom.size = sizeof(LV2_Atom_Sequence_Body);
    sequence->body.unit = 0;
    sequence->body.pad = 0;
    return capacity;
}

static inline void continuo_lv2_set_type(LV2_Atom_Sequence *sequence, LV2_URID sequence_type) {
    sequence->atom.type = sequence_type;
}

/* Appends a MIDI event at `frame`; 0 when it does not fit in `capacity`. */
static inline int continuo_lv2_append_midi(LV2_Atom_Sequence *sequence, uint32_t capacity, LV2_URID midi_event,
                                           int64_t frame, const uint8_t *bytes, uint32_t length) {
    struct { LV2_Atom_Event event; uint8_t body[8]; } e;
    e.event.time.frames = frame;
    e.event.body.type = midi_event;
    e.event.body.size = length;
    memcpy(e.body, bytes, length);
    return lv2_atom_sequence_append_event(sequence, capacity, &e.event) != NULL;
}

/* The host's log, or stderr; never from run(). */
static inline void continuo_lv2_log(const LV2_Log_Log *log, LV2_URID type, const char *message) {
    if (log) log->printf(log->handle, type, "continuo: %s\n", message);
    else fprintf(stderr, "continuo: %s\n", message);
}

/* State: store and retrieve one string property (a path or a name). */
static inline LV2_State_Status continuo_lv2_store_string(LV2_State_Store_Function store, LV2_State_Handle handle,
                                                          LV2_URID key, const char *value, LV2_URID type) {
    return store(handle, key, value, strlen(value) + 1, type, LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
}

static inline const char *continuo_lv2_retrieve_string(LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle, LV2_URID key) {
    size_t size = 0;
    uint32_t type = 0, flags = 0;
    const void *value = retrieve(handle, key, &size, &type, &flags);
    if (!value || size == 0 || ((const char *)value)[size - 1] != '\0') return NULL;
    return (const char *)value;
}

/* The feature with `uri` among the host's, or NULL. */
static inline const void *continuo_lv2_feature(const LV2_Feature *const *features, const char *uri) {
    for (int i = 0; features && features[i]; ++i) {
        if (!strcmp(features[i]->URI, uri)) return features[i]->data;
    }
    return NULL;
}

/* The URI macros are string concatenations, which Swift does not import. */
static inline const char *continuo_lv2_uri_sequence(void) { return LV2_ATOM__Sequence; }
static inline const char *continuo_lv2_uri_path(void) { return LV2_ATOM__Path; }
static inline const char *continuo_lv2_uri_string(void) { return LV2_ATOM__String; }
static inline const char *continuo_lv2_uri_map(void) { return LV2_URID__map; }
static inline const char *continuo_lv2_uri_log(void) { return LV2_LOG__log; }
static inline const char *continuo_lv2_uri_state_interface(void) { return LV2_STATE__interface; }

/* For a host (the benchmark): an empty input sequence in a buffer of `capacity` bytes. */
static inline void continuo_lv2_reset_input(LV2_Atom_Sequence *sequence, LV2_URID sequence_type) {
    sequence->atom.type = sequence_type;
    sequence->atom.size = sizeof(LV2_Atom_Sequence_Body);
    sequence->body.unit = 0;
    sequence->body.pad = 0;
}

#include <lv2/atom/forge.h>

/* For a host (tests, the benchmark): appends a time:Position (bpm, speed, bar, barBeat,
   beatsPerBar) at `frame`; 0 when it does not fit. */
static inline int continuo_lv2_append_position(LV2_Atom_Sequence *sequence, uint32_t capacity, const LV2_URID_Map *map,
                                               const continuo_lv2_urids *u, int64_t frame, float bpm, float speed,
                                               int64_t bar, float bar_beat, float beats_per_bar) {
    uint8_t buffer[512];
    LV2_Atom_Forge forge;
    lv2_atom_forge_init(&forge, (LV2_URID_Map *)map);
    lv2_atom_forge_set_buffer(&forge, buffer + sizeof(int64_t), sizeof buffer - sizeof(int64_t));
    LV2_Atom_Forge_Frame object;
    lv2_atom_forge_object(&forge, &object, 0, u->time_position);
    lv2_atom_forge_key(&forge, u->time_bpm); lv2_atom_forge_float(&forge, bpm);
    lv2_atom_forge_key(&forge, u->time_speed); lv2_atom_forge_float(&forge, speed);
    lv2_atom_forge_key(&forge, u->time_bar); lv2_atom_forge_long(&forge, bar);
    lv2_atom_forge_key(&forge, u->time_bar_beat); lv2_atom_forge_float(&forge, bar_beat);
    lv2_atom_forge_key(&forge, u->time_beats_per_bar); lv2_atom_forge_float(&forge, beats_per_bar);
    lv2_atom_forge_pop(&forge, &object);
    LV2_Atom_Event *event = (LV2_Atom_Event *)buffer;
    event->time.frames = frame;
    return lv2_atom_sequence_append_event(sequence, capacity, event) != NULL;
}
