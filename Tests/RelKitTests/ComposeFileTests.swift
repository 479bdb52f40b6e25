import RelKit
import RelKitCore
import Testing

@Suite("Compose files read through libyaml")
struct ComposeFileTests {
    func services(_ text: String) throws -> [ComposeService] { try ComposeFile.services(in: Array(text.utf8)) }

    @Test func blockStyleServicesAndImages() throws {
        let found = try services(
            """
            # halfstack
            version: "3.8"
            services:

              backendai-half-db:   # the database
                image: postgres:15.6-alpine
                environment:
                  - image: not-this
              "backendai-half-redis":
                image: 'redis:7.2.4'
              builder:
                build: .
            volumes:
              data:
                image: not-a-service
            """)
        #expect(found.map(\.name) == ["backendai-half-db", "backendai-half-redis", "builder"])
        #expect(found.map(\.image) == ["postgres:15.6-alpine", "redis:7.2.4", nil])
        #expect(found.map(\.line) == [6, 10, 11])
    }

    /// What the hand-written subset read as no image (or refused): flow style, anchors, merge keys, extends.
    @Test func flowStyleAnchorsMergeKeysAndExtends() throws {
        #expect(try services("services: {db: {image: x}}\n").map(\.image) == ["x"])
        let found = try services(
            """
            x-base: &base
              image: postgres:16.4
              restart: always
            x-cache: &cache {image: "redis:7.4"}
            services:
              db:
                <<: *base
              db-own:
                <<: *base
                image: postgres:15.6
              cache:
                <<: [*cache, *base]
              web:
                extends: db
              worker:
                extends: {service: web}
              remote:
                extends: {service: api, file: other.yaml}
              loop-a:
                extends: loop-b
              loop-b:
                extends: loop-a
              bare:
            """)
        #expect(found.map(\.name) == ["db", "db-own", "cache", "web", "worker", "remote", "loop-a", "loop-b", "bare"])
        #expect(found.map(\.image) == ["postgres:16.4", "postgres:15.6", "redis:7.4", "postgres:16.4", "postgres:16.4", nil, nil, nil, nil])
        // An image is said where it is written (a merged one in its anchor); an inherited one at the service.
        #expect(found.map(\.line) == [2, 10, 4, 13, 15, 17, 19, 21, 23])
    }

    @Test func emptyAndNullAndSecondDocuments() throws {
        #expect(try services("").isEmpty)
        #expect(try services("# only a comment\n").isEmpty)
        #expect(try services("services:\n").isEmpty)
        #expect(try services("version: '3'\n").isEmpty)
        #expect(try services("services:\n  a:\n    image: one\n---\nservices:\n  b:\n    image: two\n").map(\.name) == ["a"])
        #expect(try services("services:\n  a:\n    image: ~\n").map(\.image) == [nil])
        #expect(try services("services:\n  a:\n    image: 'null'\n").map(\.image) == ["null"])
    }

    @Test func unreadableFilesSayWhere() {
        func problem(_ text: String) -> ComposeError? {
            do {
                _ = try services(text)
                return nil
            } catch { return error as? ComposeError }
        }
        // A tab where YAML wants spaces: libyaml's own words, at the tab's line.
        let tab = problem("services:\n\tdb:\n")
        #expect(tab?.line == 2 && tab?.message.hasSuffix("(a tab; YAML indents with spaces)") == true, "\(String(describing: tab))")
        #expect(problem("services:\n  db:\n    image: [x\n")?.line == 3, "where the bracket opens")
        // A line of only ':' (the hand-written reader once took it for a service with no name).
        #expect(problem("services:\n  db:\n  :\n")?.line == 3)
        #expect(problem("services:\n  \"\":\n    image: x\n")?.message == "a service without a name")
        #expect(problem("services: [a, b]\n")?.message == "services is not a mapping of service names")
        #expect(problem("services:\n  db: postgres\n")?.message == "service 'db' is not a mapping")
        #expect(problem("services:\n  db:\n    <<: *nowhere\n")?.message == "the alias *nowhere names no anchor defined before it")
        #expect(problem(String(repeating: "[", count: 600))?.message == "nested deeper than 512 levels")
    }

    /// Fuzz finding (FuzzUpgrade): at the end of an input without a final line break, libyaml
    /// names a line after the last one (it adds a line break of its own); the error names the
    /// line where the unfinished key began, or the last line.
    @Test func anErrorAtTheEndNamesALineOfTheFile() {
        func line(_ text: String) -> Int? {
            do {
                _ = try services(text)
                return nil
            } catch { return (error as? ComposeError)?.line }
        }
        #expect(line("services:\n  db:\n    image: x\n    ports:\n    \"a\"\"b\" 811") == 5)
        #expect(line("services:\n  db:\n    image: [x") == 3)
        #expect(line("services:\n  db:\n    image: [x\n") == 3)
        #expect(line("[[[[[") == 1, "the context is at the end too")
        // libyaml's marks count characters: a two-byte character before the end.
        #expect(line("services:\n  db:\n    image: \u{064F}x\n    \"a\"\"b\"\"\"") == 4)
        #expect(line("a: 1\u{85}b: [") == 2, "NEL breaks a line in YAML 1.1")
    }

    /// Aliases share their node: a billion-laughs document stays small and quick.
    @Test func aliasesAreSharedNotCopied() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...30 { text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        text += "services:\n  db:\n    image: x\n    labels: *a30\n"
        #expect(try services(text).map(\.image) == ["x"])
    }

    @Test func mergedKeysListedOnce() throws {
        let root = try #require(try YAMLDocument.parse(Array("b: &b {x: 1, y: 2}\nm:\n  y: 3\n  <<: *b\n  z: 4\n".utf8)))
        #expect(root["m"]?.keys == ["y", "z", "x"])
        #expect(root["m"]?["y"]?.text == "3" && root["m"]?["x"]?.text == "1")
    }
}
