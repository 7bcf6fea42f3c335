import ArgumentParser
import ContinuoDaemon
import ContinuoFiles
import ContinuoParameters
import Foundation

struct LV2Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lv2",
        abstract: "The LV2 plugin: make the continuo.lv2 bundle and install it for DAWs.",
        subcommands: [LV2Install.self])
}

struct LV2Install: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Write continuo.lv2 (plugin library, Turtle, bundled model and presets) into an LV2 folder (default ~/.lv2).",
        discussion: "Build the library first: swift build -c release --product ContinuoLV2 (scripts/install-lv2 does both).")

    @Option(help: "The LV2 folder to install into.") var into = (NSHomeDirectory() as NSString).appendingPathComponent(".lv2")
    @Option(help: "The plugin library (default: libContinuoLV2.so beside this executable).") var library: String?
    @Option(help: "The model the plugin plays (default: the bundled one).") var model: String?

    func run() throws {
        let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
        let libraryPath = library ?? here + "/libContinuoLV2.so"
        guard FileManager.default.fileExists(atPath: libraryPath) else {
            throw CLIError("no plugin library at \(libraryPath); build it with: swift build -c release --product ContinuoLV2")
        }
        guard let modelPath = model ?? ModelStore.defaultModelPath() else { throw CLIError("no bundled model found; pass --model FILE") }
        let preset = try PresetLoader.load(nameOrPath: PluginLayout.defaultPreset)
        let bundle = (into as NSString).appendingPathComponent("continuo.lv2")
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: bundle + "/presets", withIntermediateDirectories: true)
            for (source, target) in [(libraryPath, "libContinuoLV2.so"), (modelPath, "default.safetensors")] {
                try? files.removeItem(atPath: bundle + "/" + target)
                try files.copyItem(atPath: source, toPath: bundle + "/" + target)
            }
            let presetFolder = (preset.path as NSString).deletingLastPathComponent
            for name in try files.contentsOfDirectory(atPath: presetFolder) where name.hasSuffix(".toml") {
                try? files.removeItem(atPath: bundle + "/presets/" + name)
                try files.copyItem(atPath: presetFolder + "/" + name, toPath: bundle + "/presets/" + name)
            }
            try FileBytes.write(Array(LV2Turtle.manifest.utf8), to: bundle + "/manifest.ttl")
            try FileBytes.write(Array(LV2Turtle.plugin(defaults: preset.preset.values).utf8), to: bundle + "/continuo.ttl")
        } catch {
            throw CLIError("cannot write \(bundle): \(error)")
        }
        print("installed \(bundle) (\(PluginLayout.uri)); e.g. jalv \(PluginLayout.uri)")
    }
}

/// The bundle's Turtle, written from the parameter table and the plugin's port layout.
enum LV2Turtle {
    static let prefixes = """
        @prefix atom: <http://lv2plug.in/ns/ext/atom#> .
        @prefix doap: <http://usefulinc.com/ns/doap#> .
        @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        @prefix log: <http://lv2plug.in/ns/ext/log#> .
        @prefix lv2: <http://lv2plug.in/ns/lv2core#> .
        @prefix midi: <http://lv2plug.in/ns/ext/midi#> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix state: <http://lv2plug.in/ns/ext/state#> .
        @prefix time: <http://lv2plug.in/ns/ext/time#> .
        @prefix units: <http://lv2plug.in/ns/extensions/units#> .
        @prefix urid: <http://lv2plug.in/ns/ext/urid#> .

        """

    static var manifest: String {
        prefixes + """
            <\(PluginLayout.uri)>
                a lv2:Plugin ;
                lv2:binary <libContinuoLV2.so> ;
                rdfs:seeAlso <continuo.ttl> .

            """
    }

    static func plugin(defaults: ParameterValues) -> String {
        var ports = [
            """
                [
                    a lv2:InputPort, atom:AtomPort ;
                    atom:bufferType atom:Sequence ;
                    atom:supports midi:MidiEvent, time:Position ;
                    lv2:designation lv2:control ;
                    lv2:index \(PluginLayout.eventsIn) ;
                    lv2:symbol "events_in" ;
                    lv2:name "MIDI in"
                ]
            """,
            """
                [
                    a lv2:OutputPort, atom:AtomPort ;
                    atom:bufferType atom:Sequence ;
                    atom:supports midi:MidiEvent ;
                    lv2:index \(PluginLayout.eventsOut) ;
                    lv2:symbol "events_out" ;
                    lv2:name "MIDI out"
                ]
            """,
            """
                [
                    a lv2:InputPort, lv2:ControlPort ;
                    lv2:index \(PluginLayout.enabled) ;
                    lv2:symbol "enabled" ;
                    lv2:name "Enabled" ;
                    lv2:default 1 ;
                    lv2:minimum 0 ;
                    lv2:maximum 1 ;
                    lv2:designation lv2:enabled ;
                    lv2:portProperty lv2:toggled, lv2:integer
                ]
            """,
        ]
        for (offset, parameter) in PluginLayout.controls.enumerated() {
            ports.append(controlPort(parameter, index: PluginLayout.firstControl + UInt32(offset), default: defaults[parameter]))
        }
        return prefixes + """
            <\(PluginLayout.uri)>
                a lv2:Plugin, lv2:MIDIPlugin, doap:Project ;
                doap:name "Continuo" ;
                doap:maintainer [ foaf:name "Continuo" ] ;
                rdfs:comment "A machine accompanist: an LSTM trained on MIDI answers, accompanies or harmonises what you play." ;
                lv2:requiredFeature urid:map ;
                lv2:optionalFeature log:log, lv2:hardRTCapable ;
                lv2:extensionData state:interface ;
                lv2:port
            \(ports.joined(separator: " ,\n")) .

            """
    }

    static func controlPort(_ parameter: Parameter, index: UInt32, default value: ParameterValue) -> String {
        let range = parameter.controlRange
        var lines = [
            "a lv2:InputPort, lv2:ControlPort",
            "lv2:index \(index)",
            "lv2:symbol \"\(parameter.name)\"",
            "lv2:name \"\(label(parameter))\"",
            "rdfs:comment \(quoted(parameter.summary))",
            "lv2:default \(number(parameter.controlNumber(of: value)))",
            "lv2:minimum \(number(range.lowerBound))",
            "lv2:maximum \(number(range.upperBound))",
        ]
        switch parameter.domain {
        case .integer: lines.append("lv2:portProperty lv2:integer")
        case let .choice(choices):
            lines.append("lv2:portProperty lv2:integer, lv2:enumeration")
            lines.append("lv2:scalePoint " + choices.enumerated().map { "[ rdfs:label \(quoted($0.element)) ; rdf:value \($0.offset) ]" }.joined(separator: ", "))
        case .flag: lines.append("lv2:portProperty lv2:toggled, lv2:integer")
        case .real: break
        }
        return "        [\n" + lines.map { "            " + $0 }.joined(separator: " ;\n") + "\n        ]"
    }

    /// "response_beats" -> "Response beats".
    static func label(_ parameter: Parameter) -> String {
        let words = parameter.name.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// Turtle decimals need a digit after the point; integers stay integers.
    static func number(_ x: Double) -> String {
        x.rounded() == x ? String(Int(x)) : String(x)
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
