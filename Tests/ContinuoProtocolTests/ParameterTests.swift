import Testing
@testable import ContinuoProtocol

@Suite struct ParameterTests {
    @Test func coversEveryLiveParameter() {
        #expect(Parameter.allCases.map(\.name) == ["mode", "tempo_source", "bpm", "silence_beats", "response_beats", "density", "window_events",
                                                   "quantize", "max_note_beats", "input_channel", "output_channel", "effect_through",
                                                   "lookahead_periods", "transpose", "follow", "key_strength", "harmony_strength", "temperature", "top_k", "top_p", "repetition_penalty",
                                                   "no_repeat_ngram", "max_polyphony"])
        for parameter in Parameter.allCases { #expect(!parameter.summary.isEmpty) }
    }

    @Test func boundsAreInclusiveAndOneStepOutsideIsRefused() {
        for parameter in Parameter.allCases {
            switch parameter.domain {
            case let .real(range):
                #expect(parameter.validate(.double(range.lowerBound)).success == .real(range.lowerBound))
                #expect(parameter.validate(.double(range.upperBound)).success == .real(range.upperBound))
                #expect(parameter.validate(.double(range.lowerBound.nextDown)).failure?.code == .outOfRange)
                #expect(parameter.validate(.double(range.upperBound.nextUp)).failure?.code == .outOfRange)
                #expect(parameter.validate("1").failure?.code == .wrongType)
            case let .integer(range):
                #expect(parameter.validate(.int(range.lowerBound)).success == .integer(range.lowerBound))
                #expect(parameter.validate(.int(range.upperBound)).success == .integer(range.upperBound))
                #expect(parameter.validate(.int(range.lowerBound - 1)).failure?.code == .outOfRange)
                #expect(parameter.validate(.int(range.upperBound + 1)).failure?.code == .outOfRange)
                #expect(parameter.validate(.double(Double(range.lowerBound) + 0.5)).failure?.code == .wrongType)
            case let .choice(choices):
                for choice in choices { #expect(parameter.validate(.string(choice)).success == .choice(choice)) }
                #expect(parameter.validate("nope").failure?.code == .outOfRange)
                #expect(parameter.validate(.string(choices[0].uppercased())).failure?.code == .outOfRange)
                #expect(parameter.validate(1).failure?.code == .wrongType)
            case .flag:
                #expect(parameter.validate(true).success == .flag(true))
                #expect(parameter.validate(false).success == .flag(false))
                #expect(parameter.validate(1).failure?.code == .wrongType)
                #expect(parameter.validate("true").failure?.code == .wrongType)
            }
            let wrongs: [JSONValue] = parameter.domain == .flag ? [.null, 0, [1], ["a": 1]] : [.null, true, [1], ["a": 1]]
            for wrong in wrongs {
                #expect(parameter.validate(wrong).failure?.code == .wrongType)
            }
        }
    }

    @Test func errorsNameTheParameterAndRange() {
        let error = Parameter.topP.validate(0).failure!
        #expect(error.message == "top_p must be in 0.01...1, got 0")
        #expect(error.details == ["parameter": "top_p", "type": "number", "min": 0.01, "max": 1.0, "default": 1.0])
        #expect(Parameter.inputChannel.validate(17).failure!.message == "input_channel must be in 0...16, got 17")
        #expect(Parameter.mode.validate("solo").failure!.message == #"mode must be one of off, call-response, accompany, effect, got "solo""#)
        #expect(Parameter.transpose.validate("x").failure!.message == "transpose must be an integer, got string")
        #expect(Parameter.bpm.details["unit"] == "beats per minute")
    }
}
