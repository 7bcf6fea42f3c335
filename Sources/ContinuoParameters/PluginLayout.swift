/// The LV2 plugin's ports, shared by the plugin and the Turtle that describes it, so the index
/// a host writes to and the parameter the plugin reads are the same by construction.
public enum PluginLayout {
    public static let uri = "https://continuo.dev/lv2/accompanist"
    public static let stateModelKey = uri + "#model"
    public static let statePresetKey = uri + "#preset"
    public static let eventsIn: UInt32 = 0
    public static let eventsOut: UInt32 = 1
    /// `lv2:enabled`: the host's bypass.
    public static let enabled: UInt32 = 2
    /// The knobs a performer touches, from port 3 on, in this order.
    public static let controls: [Parameter] = [.mode, .temperature, .topP, .density, .responseBeats, .silenceBeats,
                                               .follow, .keyStrength, .outputChannel]
    public static let firstControl: UInt32 = 3
    public static var portCount: UInt32 { firstControl + UInt32(controls.count) }
    /// The preset a new plugin starts from.
    public static let defaultPreset = "midi-effect"
}
