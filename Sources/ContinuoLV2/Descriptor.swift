import CLV2
import ContinuoDaemon
import ContinuoParameters
import Foundation

/// The C entry points an LV2 host calls. The handle is an unretained `ContinuoPlugin`, retained
/// once by `instantiate` and released by `cleanup`.
private func plugin(_ handle: LV2_Handle?) -> ContinuoPlugin {
    Unmanaged<ContinuoPlugin>.fromOpaque(handle!).takeUnretainedValue()
}

nonisolated(unsafe) private let descriptor: UnsafeMutablePointer<LV2_Descriptor> = {
    let d = UnsafeMutablePointer<LV2_Descriptor>.allocate(capacity: 1)
    d.initialize(to: LV2_Descriptor(
        URI: UnsafePointer(strdup(PluginLayout.uri)),
        instantiate: { _, rate, bundle, features in
            do {
                let made = try ContinuoPlugin(sampleRate: rate, bundlePath: bundle.map { String(cString: $0) } ?? ".", features: features)
                return LV2_Handle(Unmanaged.passRetained(made).toOpaque())
            } catch {
                continuo_lv2_log(nil, 0, "cannot instantiate: \(error)")
                return nil
            }
        },
        connect_port: { handle, index, data in
            let p = plugin(handle)
            switch index {
            case PluginLayout.eventsIn: p.input = data.map { UnsafePointer($0.assumingMemoryBound(to: LV2_Atom_Sequence.self)) }
            case PluginLayout.eventsOut: p.output = data?.assumingMemoryBound(to: LV2_Atom_Sequence.self)
            case PluginLayout.enabled: p.enabled = data.map { UnsafePointer($0.assumingMemoryBound(to: Float.self)) }
            default:
                let control = Int(index) - Int(PluginLayout.firstControl)
                if control >= 0, control < PluginLayout.controls.count {
                    p.controls[control] = data.map { UnsafePointer($0.assumingMemoryBound(to: Float.self)) }
                }
            }
        },
        activate: { handle in plugin(handle).activate() },
        run: { handle, count in plugin(handle).run(count) },
        deactivate: { handle in plugin(handle).deactivate() },
        cleanup: { handle in Unmanaged<ContinuoPlugin>.fromOpaque(handle!).release() },
        extension_data: { uri in
            guard let uri, String(cString: uri) == String(cString: continuo_lv2_uri_state_interface()) else { return nil }
            return UnsafeRawPointer(stateInterface)
        }))
    return d
}()

nonisolated(unsafe) private let stateInterface: UnsafeMutablePointer<LV2_State_Interface> = {
    let s = UnsafeMutablePointer<LV2_State_Interface>.allocate(capacity: 1)
    s.initialize(to: LV2_State_Interface(
        save: { handle, store, storeHandle, _, _ in
            let p = plugin(handle)
            guard let instance = p.instance, let store else { return LV2_STATE_SUCCESS }
            let playing = instance.playing
            _ = continuo_lv2_store_string(store, storeHandle, p.modelKey, playing.model, p.pathType)
            _ = continuo_lv2_store_string(store, storeHandle, p.presetKey, playing.preset, p.stringType)
            return LV2_STATE_SUCCESS
        },
        restore: { handle, retrieve, retrieveHandle, _, _ in
            let p = plugin(handle)
            guard let instance = p.instance, let retrieve else { return LV2_STATE_SUCCESS }
            if let preset = continuo_lv2_retrieve_string(retrieve, retrieveHandle, p.presetKey).map({ String(cString: $0) }) {
                do {
                    let loaded = try ContinuoPlugin.preset(named: preset, bundle: p.bundlePath)
                    instance.apply(loaded.preset)
                    p.logNote("restored preset '\(preset)'")
                } catch {
                    p.logError("cannot restore preset '\(preset)': \(error); keeping '\(instance.playing.preset)'")
                }
            }
            if let model = continuo_lv2_retrieve_string(retrieve, retrieveHandle, p.modelKey).map({ String(cString: $0) }),
               model != instance.playing.model {
                do {
                    try instance.swapModel(path: model)
                    p.logNote("restored model \(model)")
                } catch {
                    p.logError("cannot restore model \(model): \(error); keeping \(instance.playing.model)")
                }
            }
            return LV2_STATE_SUCCESS
        }))
    return s
}()

@_cdecl("lv2_descriptor")
public func lv2_descriptor(_ index: UInt32) -> UnsafePointer<LV2_Descriptor>? {
    index == 0 ? UnsafePointer(descriptor) : nil
}
