import ContinuoEncoding
import ContinuoEngine
import ContinuoModel
import ContinuoProtocol
import Testing
@testable import ContinuoDaemon

/// The one parameter table, walked through every consumer: the protocol's validation, a preset
/// read and written, the engine's configuration and live `set`, the CC map, and the docs. A
/// parameter added to the table and forgotten by any of them fails here.
@Suite struct ParameterTableTests {
    /// A value each parameter accepts that is not its default.
    static func otherValue(_ parameter: Parameter) -> ParameterValue {
        switch parameter.domain {
        case let .real(range): .real(range.lowerBound == parameter.defaultValue.doubleValue ? range.upperBound : range.lowerBound)
        case let .integer(range): .integer(range.lowerBound == parameter.defaultValue.intValue ? range.upperBound : range.lowerBound)
        case let .choice(choices): .choice(choices.first { $0 != parameter.defaultValue.stringValue }!)
        case .flag: .flag(!(parameter.defaultValue.boolValue ?? false))
        }
    }

    static func tomlLiteral(_ value: ParameterValue) -> String {
        if case let .choice(text) = value { return "\"\(text)\"" }
        if case let .real(number) = value { return "\(number)" }
        return value.description
    }

    @Test(arguments: Parameter.allCases)
    func defaultsAndRangesAgree(parameter: Parameter) {
        #expect(parameter.accepts(parameter.defaultValue), "default \(parameter.defaultValue) outside \(parameter.domain.allowedDescription)")
        #expect(!parameter.summary.isEmpty)
        if let knob = parameter.knobRange {
            #expect(parameter.accepts(.real(knob.lowerBound)) || parameter.accepts(.integer(Int(knob.lowerBound))))
        }
        for position: UInt8 in [0, 31, 64, 127] {
            #expect(parameter.accepts(parameter.value(forController: position)), "CC \(position) gives \(parameter.value(forController: position))")
        }
    }

    @Test(arguments: Parameter.allCases)
    func theProtocolTakesWhatTheTableTakes(parameter: Parameter) {
        let value = Self.otherValue(parameter)
        #expect((try? parameter.validate(value.json).get()) == value)
        let wrong: JSONValue = parameter.domain.typeName == "string" ? .int(3) : .string("x")
        guard case let .failure(error) = parameter.validate(wrong) else { Issue.record("\(parameter) took \(wrong)"); return }
        #expect(error.code == .wrongType)
        if case let .integer(range) = parameter.domain {
            guard case let .failure(error) = parameter.validate(.int(range.upperBound + 1)) else { Issue.record("no range check"); return }
            #expect(error.code == .outOfRange)
        }
    }

    @Test(arguments: Parameter.allCases)
    func aPresetReadsAndWritesIt(parameter: Parameter) throws {
        let value = Self.otherValue(parameter)
        let text = "[\(parameter.section.rawValue)]\n\(parameter.name) = \(Self.tomlLiteral(value))\n[cc]\n\(parameter.name) = 20\n"
        let preset = try PresetLoader.parse(text, file: "one.toml")
        #expect(preset.values[parameter] == value)
        #expect(preset.controls[.parameter(parameter)] == 20)
        let again = try PresetLoader.parse(PresetWriter.toml(preset), file: "again.toml")
        #expect(again.values[parameter] == value)
        #expect(again == preset)
    }

    @Test(arguments: Parameter.allCases)
    func theEngineRunsWithIt(parameter: Parameter) throws {
        let value = Self.otherValue(parameter)
        var values = ParameterValues()
        values[parameter] = value
        let configuration = EngineConfiguration(values: values, sampleRate: 48_000, periodFrames: 128)
        #expect(configuration.value(of: parameter) == value, "a preset's \(parameter) did not reach the engine")
        #expect(configuration.values == values)

        let tiny = LSTMConfiguration(vocabularySize: Vocabulary.size, embeddingSize: 8, hiddenSize: 16, layerCount: 1)
        let engine = Engine(inference: LSTMInference(model: try LSTMModel(configuration: tiny, seed: 1), precision: .int8),
                            configuration: EngineConfiguration(values: ParameterValues(), sampleRate: 48_000, periodFrames: 128), seed: 1)
        #expect(engine.value(of: parameter) == parameter.defaultValue)
        engine.set(parameter, value)
        #expect(engine.value(of: parameter) == value, "`set \(parameter.name)` did not take")
    }

    @Test func topKEndsAtTheVocabulary() {
        #expect(Parameter.vocabularySize == Vocabulary.size)
        #expect(Parameter.topK.domain == .integer(0...Vocabulary.size))
    }

    @Test func theDocsTableHasEveryParameter() {
        let table = Parameter.markdownTable
        for parameter in Parameter.allCases { #expect(table.contains("| `\(parameter.name)` |")) }
    }
}
