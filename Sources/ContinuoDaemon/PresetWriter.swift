import ContinuoProtocol
import TOMLKit

/// Writes a preset as TOML that `PresetLoader` reads (for `preset save`), with TOMLKit, so any
/// text (quotes, new lines, non-ASCII) comes back as it was. Every key of the parameter table is
/// written, so the file says exactly what was playing.
enum PresetWriter {
    static func toml(_ preset: Preset) -> String {
        let root = TOMLTable()
        root["name"] = preset.name
        root["description"] = preset.description
        root["model"] = preset.model
        root["backend"] = preset.backend.rawValue
        for section in Parameter.Section.allCases {
            let table = TOMLTable()
            for parameter in Parameter.allCases where parameter.section == section {
                table[parameter.name] = tomlValue(preset.values[parameter])
            }
            if section == .sampler {
                if let scale = preset.scale { table["scale"] = scale }
                if let range = preset.pitchRange { table["pitch_range"] = [range.lowerBound, range.upperBound] }
            }
            root[section.rawValue] = table
        }
        let jack = TOMLTable()
        jack["client_name"] = preset.jack.clientName
        jack["input_port"] = preset.jack.inputPort
        jack["output_port"] = preset.jack.outputPort
        jack["connect_input"] = preset.jack.connectInput
        jack["connect_output"] = preset.jack.connectOutput
        root["jack"] = jack
        let alsa = TOMLTable()
        alsa["connect_input"] = preset.alsa.connectInput
        alsa["connect_output"] = preset.alsa.connectOutput
        root["alsa"] = alsa
        if let address = preset.webAddress {
            let web = TOMLTable()
            web["address"] = address
            root["web"] = web
        }
        let cc = TOMLTable()
        for (target, controller) in preset.controls.sorted(by: { $0.key.description < $1.key.description }) {
            cc[target.description] = controller
        }
        root["cc"] = cc
        return "# Saved by continuo (preset save).\n" + root.convert(to: .toml) + "\n"
    }

    private static func tomlValue(_ value: ParameterValue) -> any TOMLValueConvertible {
        switch value {
        case let .real(number): number
        case let .integer(number): number
        case let .choice(text): text
        case let .flag(on): on
        }
    }
}
