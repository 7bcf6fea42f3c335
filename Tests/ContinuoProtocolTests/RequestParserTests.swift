import Foundation
import Testing
@testable import ContinuoProtocol

@Suite struct RequestParserTests {
    @Test func parsesEveryCommand() {
        let cases: [(String, Command)] = [
            (#"{"cmd":"ping"}"#, .ping),
            (#"{"cmd":"version"}"#, .version),
            (#"{"cmd":"status"}"#, .status),
            (#"{"cmd":"get"}"#, .get(nil)),
            (#"{"cmd":"get","param":"top_p"}"#, .get(.topP)),
            (#"{"cmd":"set","param":"temperature","value":0.8}"#, .set(.temperature, .real(0.8))),
            (#"{"cmd":"set","param":"top_k","value":40}"#, .set(.topK, .integer(40))),
            (#"{"cmd":"set","param":"top_k","value":40.0}"#, .set(.topK, .integer(40))),
            (#"{"cmd":"set","param":"bpm","value":96}"#, .set(.bpm, .real(96))),
            (#"{"cmd":"set","param":"mode","value":"effect"}"#, .set(.mode, .choice("effect"))),
            (#"{"cmd":"set","param":"tempo_source","value":"midi-clock"}"#, .set(.tempoSource, .choice("midi-clock"))),
            (#"{"cmd":"preset","action":"list"}"#, .presetList),
            (#"{"cmd":"preset","action":"load","name":"jam"}"#, .presetLoad(name: "jam")),
            (#"{"cmd":"preset","action":"save","name":"jam.v2"}"#, .presetSave(name: "jam.v2")),
            (#"{"cmd":"model","action":"load","path":"/opt/m.cmodel"}"#, .modelLoad(path: "/opt/m.cmodel")),
            (#"{"cmd":"panic"}"#, .panic),
            (#"{"cmd":"pause"}"#, .pause),
            (#"{"cmd":"resume"}"#, .resume),
            (#"{"cmd":"capture"}"#, .capture(path: nil, bars: 8)),
            (#"{"cmd":"capture","path":"out.mid","bars":16}"#, .capture(path: "out.mid", bars: 16)),
            (#"{"cmd":"subscribe"}"#, .subscribe(Set(Topic.allCases))),
            (#"{"cmd":"subscribe","topics":["notes","xruns","notes"]}"#, .subscribe([.notes, .xruns])),
            (#"{"cmd":"unsubscribe","topics":["warnings"]}"#, .unsubscribe([.warnings])),
            (#"{"cmd":"instance","action":"add","name":"bass","preset":"accompany"}"#, .instanceAdd(name: "bass", preset: "accompany")),
            (#"{"cmd":"instance","action":"add","name":"bass"}"#, .instanceAdd(name: "bass", preset: nil)),
            (#"{"cmd":"instance","action":"remove","name":"bass"}"#, .instanceRemove(name: "bass")),
            (#"{"cmd":"instance","action":"list"}"#, .instanceList),
        ]
        for (line, command) in cases {
            #expect(parse(line).success == Request(command: command), "\(line)")
        }
    }

    @Test func acceptsWhitespaceCarriageReturnAndAnyInputType() {
        let expected = Request(id: 1, command: .ping)
        #expect(parse("  {\"id\":1, \"cmd\" : \"ping\"}\r") .success == expected)
        #expect(RequestParser.parse(line: Array(#"{"id":1,"cmd":"ping"}"#.utf8)).success == expected)
        #expect(RequestParser.parse(line: Data(#"{"id":1,"cmd":"ping"}"#.utf8)).success == expected)
        #expect(RequestParser.parse(line: #"xx{"id":1,"cmd":"ping"}"#.dropFirst(2)).success == expected)
    }

    @Test func instanceIsReadForInstanceCommandsOnly() {
        #expect(parse(#"{"cmd":"status","instance":"bass"}"#).success == Request(instance: "bass", command: .status))
        #expect(parse(#"{"cmd":"set","param":"transpose","value":-12,"instance":"pad-2"}"#).success
            == Request(instance: "pad-2", command: .set(.transpose, .integer(-12))))
        #expect(parse(#"{"id":1,"cmd":"ping","instance":"bass"}"#).failure?.code == .invalidRequest)
        #expect(parse(#"{"cmd":"subscribe","instance":"bass"}"#).failure?.code == .invalidRequest)
        #expect(parse(#"{"cmd":"instance","action":"list","instance":"bass"}"#).failure?.code == .invalidRequest)
        #expect(parse(#"{"cmd":"status","instance":3}"#).failure?.code == .wrongType)
        #expect(parse(#"{"cmd":"status","instance":"a/b"}"#).failure?.code == .outOfRange)
    }

    /// Every 1xx code, from each way a request can be wrong.
    @Test func everyRequestErrorIsReachable() {
        let cases: [(String, ErrorCode)] = [
            (#"{"cmd":"ping""#, .parseError),
            ("not json", .parseError),
            ("{\"cmd\":\"ping\",}x", .parseError),
            ("\u{FF}\u{FE}", .parseError),
            (String(repeating: "[", count: 40) + String(repeating: "]", count: 40), .parseError),
            (String(repeating: " ", count: Limits.maxLineBytes + 1), .lineTooLong),
            ("[1,2]", .invalidRequest),
            ("\"ping\"", .invalidRequest),
            ("null", .invalidRequest),
            (#"{"id":[1],"cmd":"ping"}"#, .invalidRequest),
            (#"{"cmd":"ping","extra":1}"#, .invalidRequest),
            (#"{"cmd":"set","param":"temperature","valeu":1}"#, .invalidRequest),
            (#"{"cmd":"jump"}"#, .unknownCommand),
            (#"{"cmd":"preset.load","name":"jam"}"#, .unknownCommand),
            (#"{"cmd":"preset","action":"delete"}"#, .unknownCommand),
            (#"{"cmd":"PING"}"#, .unknownCommand),
            (#"{"cmd":"set","param":"temprature","value":1}"#, .unknownParameter),
            (#"{"cmd":"get","param":"volume"}"#, .unknownParameter),
            (#"{"id":1}"#, .missingArgument),
            (#"{}"#, .missingArgument),
            (#"{"cmd":"set","param":"temperature"}"#, .missingArgument),
            (#"{"cmd":"set","value":1}"#, .missingArgument),
            (#"{"cmd":"preset"}"#, .missingArgument),
            (#"{"cmd":"preset","action":"load"}"#, .missingArgument),
            (#"{"cmd":"model","action":"load"}"#, .missingArgument),
            (#"{"cmd":"instance","action":"remove"}"#, .missingArgument),
            (#"{"cmd":42}"#, .wrongType),
            (#"{"cmd":null}"#, .wrongType),
            (#"{"cmd":"preset","action":1}"#, .wrongType),
            (#"{"cmd":"set","param":"temperature","value":"0.8"}"#, .wrongType),
            (#"{"cmd":"set","param":"temperature","value":true}"#, .wrongType),
            (#"{"cmd":"set","param":"temperature","value":null}"#, .wrongType),
            (#"{"cmd":"set","param":"top_k","value":1.5}"#, .wrongType),
            (#"{"cmd":"set","param":"mode","value":1}"#, .wrongType),
            (#"{"cmd":"set","param":7,"value":1}"#, .wrongType),
            (#"{"cmd":"preset","action":"load","name":["jam"]}"#, .wrongType),
            (#"{"cmd":"capture","bars":"8"}"#, .wrongType),
            (#"{"cmd":"capture","bars":2.5}"#, .wrongType),
            (#"{"cmd":"subscribe","topics":"notes"}"#, .wrongType),
            (#"{"cmd":"subscribe","topics":[1]}"#, .wrongType),
            (#"{"cmd":"set","param":"temperature","value":5.01}"#, .outOfRange),
            (#"{"cmd":"set","param":"temperature","value":-1}"#, .outOfRange),
            (#"{"cmd":"set","param":"top_k","value":1e300}"#, .outOfRange),
            (#"{"cmd":"set","param":"mode","value":"solo"}"#, .outOfRange),
            (#"{"cmd":"capture","bars":0}"#, .outOfRange),
            (#"{"cmd":"capture","bars":129}"#, .outOfRange),
            (#"{"cmd":"capture","path":""}"#, .outOfRange),
            (#"{"cmd":"model","action":"load","path":"a\u0000b"}"#, .outOfRange),
            (#"{"cmd":"preset","action":"save","name":"../x"}"#, .outOfRange),
            (#"{"cmd":"preset","action":"save","name":".hidden"}"#, .outOfRange),
            (#"{"cmd":"preset","action":"save","name":""}"#, .outOfRange),
            (#"{"cmd":"instance","action":"add","name":"\#(String(repeating: "a", count: 65))"}"#, .outOfRange),
            (#"{"cmd":"subscribe","topics":[]}"#, .outOfRange),
            (#"{"cmd":"subscribe","topics":["beats"]}"#, .outOfRange),
        ]
        var reached = Set<ErrorCode>()
        for (line, code) in cases {
            let error = parse(line).failure
            #expect(error?.code == code, "\(line.prefix(80)) -> \(String(describing: error))")
            if let error { reached.insert(error.code) }
        }
        #expect(reached == Set(ErrorCode.allCases.filter { $0.number < 200 }))
    }

    @Test func idIsEchoedAsSentEvenInErrors() {
        let ids: [(String, JSONValue)] = [("1", .int(1)), ("-7", .int(-7)), ("2.5", .double(2.5)), ("1e20", .double(1e20)),
                                          (#""abc""#, .string("abc")), (#""""#, .string("")), ("null", .null), ("true", .bool(true))]
        for (text, id) in ids {
            #expect(parse(#"{"id":\#(text),"cmd":"ping"}"#).success?.id == id)
            for bad in [#""cmd":"jump""#, #""cmd":"set","param":"bpm","value":1000"#, #""cmd":"ping","x":1"#, #""cmd":"get","param":"x""#] {
                let error = parse(#"{"id":\#(text),\#(bad)}"#).failure
                #expect(error?.requestID == id, "\(text) with \(bad)")
                #expect(Reply.failure(error!).line.hasPrefix(#"{"id":\#(id.serialized()),"ok":false,"#))
            }
        }
        // No id: none in the reply. Unreadable id: none either.
        #expect(parse(#"{"cmd":"ping"}"#).success?.id == nil)
        #expect(parse(#"{"cmd":"jump"}"#).failure?.requestID == nil)
        #expect(Reply.failure(parse(#"{"cmd":"jump"}"#).failure!).line.hasPrefix(#"{"ok":false,"#))
        #expect(parse(#"{"id":{"x":1},"cmd":"ping"}"#).failure?.requestID == nil)
        #expect(parse(#"{"id":1,"cmd":"ping""#).failure?.requestID == nil)
    }

    @Test func checksRunInDocumentedOrder() {
        // Unknown field before missing argument: a typo is reported as the typo.
        #expect(parse(#"{"cmd":"set","param":"temperature","valeu":1}"#).failure?.message.contains("valeu") == true)
        // Unknown command before anything about its fields.
        #expect(parse(#"{"cmd":"jump","how":"high"}"#).failure?.code == .unknownCommand)
        // Messages name the parameter and its range.
        let message = parse(#"{"cmd":"set","param":"silence_beats","value":100}"#).failure?.message ?? ""
        #expect(message.contains("silence_beats") && message.contains("0.1...64"))
        #expect(parse(#"{"cmd":"preset.load"}"#).failure?.message.contains(#"{"cmd":"preset","action":"load"}"#) == true)
    }

    @Test func requestsEncodeAndParseBack() {
        let requests = [
            Request(id: 1, command: .ping),
            Request(id: "a", instance: "bass", command: .set(.temperature, .real(0.75))),
            Request(id: .null, command: .set(.mode, .choice("accompany"))),
            Request(command: .set(.windowEvents, .integer(512))),
            Request(instance: "main", command: .get(nil)),
            Request(instance: "main", command: .get(.bpm)),
            Request(command: .presetLoad(name: "jam")),
            Request(command: .presetSave(name: "jam-2")),
            Request(command: .presetList),
            Request(command: .modelLoad(path: "models/x y.cmodel")),
            Request(command: .capture(path: nil, bars: 4)),
            Request(command: .capture(path: "out.mid", bars: 8)),
            Request(command: .subscribe([.notes, .mode])),
            Request(command: .unsubscribe(Set(Topic.allCases))),
            Request(command: .instanceAdd(name: "pad", preset: "ambient")),
            Request(command: .instanceAdd(name: "pad", preset: nil)),
            Request(command: .instanceRemove(name: "pad")),
            Request(command: .instanceList),
            Request(command: .panic), Request(command: .pause), Request(command: .resume),
            Request(command: .version), Request(instance: "x", command: .status),
        ]
        for request in requests {
            #expect(parse(request.line).success == request, "\(request.line)")
            #expect(request.encoded.last == 0x0A && !request.encoded.dropLast().contains(0x0A))
        }
        #expect(Request(id: 1, command: .set(.temperature, .real(0.8))).line == #"{"id":1,"cmd":"set","param":"temperature","value":0.8}"#)
    }
}
