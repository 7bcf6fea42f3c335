import CJack

// The C entry points JACK calls. Each receives the `ClientContext` as `void *arg`; the context
// is kept alive by `JackClient` (`Unmanaged.passRetained`) until `jack_client_close` returns, so
// borrowing it without retain/release (`_withUnsafeGuaranteedRef`) is sound here.

/// `JackProcessCallback`.
/// **Thread:** JACK's real-time process thread. **Must be real-time safe.**
/// Clears every registered MIDI output (JACK leaves stale events otherwise), extends the frame
/// clock to 64 bits, then hands the cycle to the processor.
let processTrampoline: JackProcessCallback = { nframes, arg in
    guard let arg else { return 0 }
    Unmanaged<ClientContext>.fromOpaque(arg)._withUnsafeGuaranteedRef { context in
        runCycle(context, nframes)
    }
    return 0
}

@_noAllocation @_noLocks
func runCycle(_ context: ClientContext, _ nframes: UInt32) {
    let client = context.client
    let raw = _unsafePerformance { jack_last_frame_time(client) }
    let first = context.advanceFrameClock(raw: raw)
    let outputs = context.outputCount.load(ordering: .acquiring)
    var i = 0
    while i < outputs {
        if let port = context.outputPorts[i] {
            _unsafePerformance {
                if let buffer = jack_port_get_buffer(port, nframes) { jack_midi_clear_buffer(buffer) }
            }
        }
        i &+= 1
    }
    context.cycleCount.wrappingAdd(1, ordering: .relaxed)
    let frames = Int(nframes)
    guard let slot = context.processor else { return }
    let counters = context.rtCounters
    // The one unchecked step: a vtable call into the owner's processor, which @_noAllocation
    // cannot see through ("called function is not known at compile time"). Everything up to
    // here is compiler-checked; the processor's own body is its author's responsibility
    // (annotate it @_noAllocation too), and the allocation test covers the whole path.
    _unsafePerformance {
        slot._withUnsafeGuaranteedRef {
            $0.run(frames: frames, cycle: ProcessCycle(firstFrame: first, frames: frames, counters: counters))
        }
    }
}

/// `JackInfoShutdownCallback`.
/// **Thread:** any JACK thread, including the real-time process thread (JACK2 calls it from
/// whichever thread notices the server has gone). jack.h: "must be written as if it were an
/// asynchronous POSIX signal handler". So it only sets an atomic flag; the owner's non-RT loop
/// polls `JackClient.serverGone`, closes the client and opens a new one.
let shutdownTrampoline: JackInfoShutdownCallback = { _, _, arg in
    guard let arg else { return }
    Unmanaged<ClientContext>.fromOpaque(arg)._withUnsafeGuaranteedRef { context in
        context.serverGone.store(true, ordering: .releasing)
    }
}

/// `JackXRunCallback`.
/// **Thread:** JACK's notification thread (not real-time; jack.h: "All notification events are
/// received in a separated non RT thread"). Counts, then calls the owner's handler.
let xrunTrampoline: JackXRunCallback = { arg in
    guard let arg else { return 0 }
    Unmanaged<ClientContext>.fromOpaque(arg)._withUnsafeGuaranteedRef { context in
        let total = context.xrunCount.add(1, ordering: .relaxed).newValue
        context.notify(.xrun(total: total))
    }
    return 0
}

/// `JackSampleRateCallback`.
/// **Thread:** JACK's notification thread (not real-time). Also called once on registration.
let sampleRateTrampoline: JackSampleRateCallback = { nframes, arg in
    guard let arg else { return 0 }
    Unmanaged<ClientContext>.fromOpaque(arg)._withUnsafeGuaranteedRef { context in
        let old = context.sampleRate.exchange(Int(nframes), ordering: .releasing)
        if old != Int(nframes) { context.notify(.sampleRateChanged(Int(nframes))) }
    }
    return 0
}

/// `JackBufferSizeCallback`.
/// **Thread:** JACK's notification thread (not real-time) in JACK2; the process thread is not
/// running a cycle while the size changes. Also called once on activation.
let bufferSizeTrampoline: JackBufferSizeCallback = { nframes, arg in
    guard let arg else { return 0 }
    Unmanaged<ClientContext>.fromOpaque(arg)._withUnsafeGuaranteedRef { context in
        let old = context.bufferSize.exchange(Int(nframes), ordering: .releasing)
        if old != Int(nframes) { context.notify(.bufferSizeChanged(Int(nframes))) }
    }
    return 0
}

/// `JackLatencyCallback`.
/// **Thread:** JACK's notification thread (not real-time). Runs whenever the graph's latencies
/// are recomputed (connections change, or `jack_recompute_total_latencies`).
///
/// Follows jack.h's recipe for a client whose outputs depend on its inputs, adding the owner's
/// `outputLatency` (e.g. the accompanist's look-ahead) along the in→out path:
/// - capture mode: each output's range = (widest range over our inputs) + latency;
/// - playback mode: each input's range = (widest range over our outputs) + latency.
/// With no ports on the other side the base range is 0…0, so the output reports just `latency`.
let latencyTrampoline: JackLatencyCallback = { mode, arg in
    guard let arg else { return }
    Unmanaged<ClientContext>.fromOpaque(arg)._withUnsafeGuaranteedRef { context in
        let extra = UInt32(clamping: context.outputLatency.load(ordering: .acquiring))
        // Holding the (non-RT) lock across these calls is fine: they are local to libjack.
        context.latencyPorts.withLock { ports in
            let (from, to) = mode == JackCaptureLatency ? (ports.inputs, ports.outputs)
                                                        : (ports.outputs, ports.inputs)
            var lo = UInt32.max, hi: UInt32 = 0
            for port in from {
                var r = jack_latency_range_t()
                jack_port_get_latency_range(port, mode, &r)
                lo = min(lo, r.min)
                hi = max(hi, r.max)
            }
            if from.isEmpty { lo = 0 }
            var range = jack_latency_range_t(min: lo &+ extra, max: hi &+ extra)
            for port in to { jack_port_set_latency_range(port, mode, &range) }
        }
    }
}
