import Foundation
import Testing

@testable import ParleyDomain

/// The byte-writing encoder says exactly what Foundation's `JSONEncoder`
/// with the snake_case strategy says, for every sample event.
@Suite struct EventJSONWriterTests {
    private struct Stored<Payload: Encodable>: Encodable {
        var actor: Actor
        var version: Int
        var payload: Payload
    }

    private static func foundationJSON<P: EventPayload>(_ payload: P, actor: Actor) throws -> Data {
        try EventCodec.encoder().encode(Stored(actor: actor, version: P.version, payload: payload))
    }

    @Test(arguments: SampleEvents.all)
    func sameJSONAsFoundation(_ event: DomainEvent) throws {
        let written = try JSONDecoder().decode(JSONValue.self, from: Data(try EventCodec.encode(event)))
        let reference = try JSONDecoder().decode(
            JSONValue.self, from: try Self.foundationJSON(event.body.payload, actor: event.actor))
        #expect(written == reference)
    }

    @Test func stringsAreEscapedAndObjectsSorted() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / emoji 🦊"
        let bytes = try EventJSONWriter.encode(["b": JSONValue.string(tricky), "a": .number(2), "c": .number(0.5)] as JSONObject)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"a":2,"b":"quote \" backslash \\ newline \n tab \t bell \u0007 slash / emoji 🦊","c":0.5}"#))
        let decoded = try JSONDecoder().decode(JSONObject.self, from: Data(bytes))
        #expect(decoded["b"] == .string(tricky))
    }

    @Test func negativeZeroKeepsItsSign() throws {
        let bytes = try EventJSONWriter.encode(["x": JSONValue.number(-0.0)] as JSONObject)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"x":-0}"#)
    }
}
