import ContinuoFiles
import ContinuoEngine
import ContinuoProtocol
import ContinuoSampling
import Foundation
import TOMLKit

/// Reads presets from TOML. Unknown keys are errors (a typo must not be silently ignored),
/// wrong types and out-of-range values name the key and its line.
public enum PresetLoader {
    /// The folder of bundled presets: `presets/` of the installation (found like the default model).
    public static func presetFolder() -> String? {
        Installation.find("presets/jam.toml").map { ($0 as NSString).deletingLastPathComponent }
    }

    /// Where `preset save` writes: `$XDG_CONFIG_HOME/continuo/presets` (~/.config/...).
    public static func userPresetFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.config")
        return config + "/continuo/presets"
    }

    /// Where `capture` writes when no path is given: `$XDG_DATA_HOME/continuo/captures`.
    /// Where rated phrases are kept, for `train --finetune --data`.
    public static func keepersFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        (captureFolder(environment: environment) as NSString).deletingLastPathComponent + "/keepers"
    }

    public static func captureFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/share")
        return data + "/continuo/captures"
    }

    /// Every preset name: the user's and the bundled ones, sorted.
    public static func presetNames() -> [String] {
        var names = Set<String>()
        for folder in [userPresetFolder(), presetFolder()].compactMap({ $0 }) {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where file.hasSuffix(".toml") {
                names.insert(String(file.dropLast(5)))
            }
        }
        return names.sorted()
    }

    /// A preset by name (`jam`: the user's folder first, then the bundled presets), or by
    /// path (`./mine.toml`).
    public static func load(nameOrPath: String) throws -> (preset: Preset, path: String) {
        let path: String
        let userPath = userPresetFolder() + "/" + nameOrPath + ".toml"
        if nameOrPath.hasSuffix(".toml") || nameOrPath.contains("/") {
            path = nameOrPath
        } else if FileManager.default.fileExists(atPath: userPath) {
            path = userPath
        } else {
            guard let folder = presetFolder() else {
                throw PresetError(file: nameOrPath, message: "no presets folder found (set CONTINUO_HOME to the installation)")
            }
            path = folder + "/" + nameOrPath + ".toml"
            guard FileManager.default.fileExists(atPath: path) else {
                let known = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }.sorted() ?? []
                throw PresetError(file: nameOrPath, message: "no such preset; known: \(known.joined(separator: ", "))")
            }
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PresetError(file: path, message: "cannot read the file")
        }
        return (try parse(String(decoding: data, as: UTF8.self), file: path), path)
    }

    public static func parse(_ text: String, file: String) throws -> Preset {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw PresetError(file: file, line: Int(error.source.begin.line), message: "not valid TOML: \(error.description)")
        }
        var preset = Preset()
        let reader = TableReader(table: table, text: text, file: file, path: [])
        try reader.allowOnly(["name", "description", "model", "backend", "engine", "sampler", "jack", "alsa", "web", "cc"])
        preset.name = try reader.string("name") ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        preset.description = try reader.string("description") ?? ""
        preset.model = try reader.string("model") ?? "default"
        if let backend = try reader.string("backend") {
            guard let chosen = Backend(rawValue: backend) else {
                throw reader.fail("backend", "'\(backend)' is not a backend; use one of \(Backend.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            preset.backend = chosen
        }

        for section in Parameter.Section.allCases {
            guard let table = try reader.table(section.rawValue) else { continue }
            let parameters = Parameter.allCases.filter { $0.section == section }
            let extra = section == .sampler ? Preset.structuredSamplerKeys : []
            try table.allowOnly(Set(parameters.map(\.name) + extra))
            for parameter in parameters {
                if let value = try table.value(of: parameter) { preset.values[parameter] = value }
            }
            if section == .sampler {
                preset.scale = try table.scale("scale")
                preset.pitchRange = try table.range("pitch_range").map { $0[0]...$0[1] }
            }
        }
        if let jack = try reader.table("jack") {
            try jack.allowOnly(["client_name", "input_port", "output_port", "connect_input", "connect_output"])
            preset.jack.clientName = try jack.string("client_name") ?? preset.jack.clientName
            preset.jack.inputPort = try jack.string("input_port") ?? preset.jack.inputPort
            preset.jack.outputPort = try jack.string("output_port") ?? preset.jack.outputPort
            preset.jack.connectInput = try jack.strings("connect_input") ?? []
            preset.jack.connectOutput = try jack.strings("connect_output") ?? []
        }
        if let alsa = try reader.table("alsa") {
            try alsa.allowOnly(["connect_input", "connect_output"])
            preset.alsa.connectInput = try alsa.strings("connect_input") ?? []
            preset.alsa.connectOutput = try alsa.strings("connect_output") ?? []
        }
        if let web = try reader.table("web") {
            try web.allowOnly(["address"])
            preset.webAddress = try web.string("address")
        }
        if let cc = try reader.table("cc") {
            let targets = Parameter.allCases.map { CCTarget.parameter($0) } + [.onOff]
            try cc.allowOnly(Set(targets.map(\.description)))
            for target in targets {
                if let controller = try cc.integer(target.description, 0...127) { preset.controls[target] = controller }
            }
        }
        return preset
    }
}

/// Typed, located access to one TOML table.
struct TableReader {
    let table: TOMLTable
    let text: String
    let file: String
    let path: [String]

    func fail(_ key: String, _ message: String) -> PresetError {
        let full = (path + [key]).joined(separator: ".")
        return PresetError(file: file, key: full, line: line(of: key), message: message)
    }

    /// The line where `key` is assigned inside this table's section.
    func line(of key: String) -> Int? {
        var inSection = path.isEmpty
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                inSection = line == "[\(path.joined(separator: "."))]"
                continue
            }
            if inSection, line.hasPrefix(key), line.dropFirst(key.count).trimmingCharacters(in: .whitespaces).hasPrefix("=") {
                return number + 1
            }
        }
        return nil
    }

    func allowOnly(_ keys: Set<String>) throws {
        for key in table.keys where !keys.contains(key) {
            throw fail(key, "unknown key (known here: \(keys.sorted().joined(separator: ", ")))")
        }
    }

    func table(_ key: String) throws -> TableReader? {
        guard let value = table[key] else { return nil }
        guard let sub = value.table else { throw fail(key, "must be a table ([\(key)])") }
        return TableReader(table: sub, text: text, file: file, path: path + [key])
    }

    func string(_ key: String) throws -> String? {
        guard let value = table[key] else { return nil }
        guard let s = value.string else { throw fail(key, "must be a string") }
        return s
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw fail(key, "must be an array of strings") }
        return try array.map { element in
            guard let s = element.string else { throw fail(key, "must be an array of strings") }
            return s
        }
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = table[key] else { return nil }
        guard let b = value.bool else { throw fail(key, "must be true or false") }
        return b
    }

    func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
        guard let value = table[key] else { return nil }
        guard let n = value.double ?? value.int.map(Double.init) else { throw fail(key, "must be a number") }
        guard range.contains(n) else { throw fail(key, "\(n) is out of range (\(range.lowerBound)...\(range.upperBound))") }
        return n
    }

    func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let value = table[key] else { return nil }
        guard let n = value.int else { throw fail(key, "must be a whole number") }
        guard range.contains(n) else { throw fail(key, "\(n) is out of range (\(range.lowerBound)...\(range.upperBound))") }
        return n
    }

    /// A key of the parameter table, checked against its domain.
    func value(of parameter: Parameter) throws -> ParameterValue? {
        let key = parameter.name
        switch parameter.domain {
        case let .real(range): return try number(key, range).map { .real($0) }
        case let .integer(range): return try integer(key, range).map { .integer($0) }
        case let .choice(choices): return try choice(key, choices).map { .choice($0) }
        case .flag: return try bool(key).map { .flag($0) }
        }
    }

    func choice(_ key: String, _ options: [String]) throws -> String? {
        guard let s = try string(key) else { return nil }
        guard options.contains(s) else { throw fail(key, "'\(s)' is not one of \(options.joined(separator: ", "))") }
        return s
    }

    func scale(_ key: String) throws -> String? {
        guard let s = try string(key) else { return nil }
        guard Scale(parsing: s) != nil else { throw fail(key, "'\(s)' is not a scale (try \"C major\", \"D dorian\")") }
        return s
    }

    func range(_ key: String) throws -> [Int]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array, array.count == 2, let low = array[0].int, let high = array[1].int,
              (0...127).contains(low), (0...127).contains(high), low <= high else {
            throw fail(key, "must be [low, high] MIDI pitches, 0...127")
        }
        return [low, high]
    }
}
