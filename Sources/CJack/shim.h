#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>
#include <jack/transport.h>

/* jack_client_open is variadic (the server name follows JackServerName); Swift cannot call
   C variadics, so this wrapper passes the optional server name explicitly. */
static inline jack_client_t *continuo_jack_client_open(const char *name, jack_options_t options,
                                                       jack_status_t *status, const char *server) {
    if (server != 0) {
        return jack_client_open(name, (jack_options_t)(options | JackServerName), status, server);
    }
    return jack_client_open(name, options, status);
}
