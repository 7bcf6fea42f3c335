import Testing
@testable import ContinuoProtocol

@Suite struct ParameterTests {
    @Test func coversEveryLiveParameter() {
        #expect(Parameter.allCases.map(\.name) == ["temperature", "top_k", "top_p", "repetition_penalty", "mode", "density", "response_beats",
                                                   "silence_beats", "output_channel", "input_channel", "transpose", "tempo_source", "bpm", "window_events"])
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
            }
            for wrong: JSONValue in [.null, true, [1], ["a": 1]] {
                #expect(parameter.validate(wrong).failure?.code == .wrongType)
            }
        }
    }

    @Test func errorsNameTheParameterAndRange() {
        let error = Parameter.topP.validate(0).failure!
        #expect(error.message == "top_p must be in 0.01...1, got 0")
        #expect(error.details == ["parameter": "top_p", "type": "number", "min": 0.01, "max": 1.0])
        #expect(Parameter.inputChannel.validate(17).failure!.message == "input_channel must be in 0...16, got 17")
        #expect(Parameter.mode.validate("solo").failure!.message == #"mode must be one of call-response, accompany, effect, off, got "solo""#)
        #expect(Parameter.transpose.validate("x").failure!.message == "transpose must be an integer, got string")
        #expect(Parameter.bpm.details["unit"] == "beats per minute")
    }
}
