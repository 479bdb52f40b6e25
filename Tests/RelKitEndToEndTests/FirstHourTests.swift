import Foundation
import RelKitTestSupport
import Testing

/// A fresh monorepo as a new release manager has it (issue 22): two packages that pin each other,
/// in pyproject.toml dependencies and optional dependencies, requirements and constraints files.
struct PinningMonorepo {
    let repository: ScratchRepository

    init() throws {
        repository = try ScratchRepository()
        try repository.commit([
            "VERSION": "26.05.0.dev0\n",
            "packages/core/pyproject.toml": """
                [project]
                name = "acme-core"
                version = "26.5.0.dev0"
                dependencies = ["attrs>=23"]

                """,
            "packages/api/pyproject.toml": """
                [project]
                name = "acme_api"
                version = "26.5.0.dev0"
                dependencies = [
                    "acme-core==26.5.0.dev0",
                    "httpx>=0.27",
                ]

                [project.optional-dependencies]
                server = ["acme-core[server]==26.5.0.dev0"]

                """,
            "requirements.txt": "acme-core==26.5.0.dev0\nacme-api==26.5.0.dev0  # the service\nrequests>=2\n",
            "requirements/dev.txt": "-r ../requirements.txt\nacme-core==26.5.0.dev0\npytest>=8\n",
            "constraints.txt": "acme-api==26.5.0.dev0\n",
            "src/app.py": "print('hello')\n",
        ], message: "import the monorepo")
    }

    func run(_ arguments: [String]) throws -> ProcessResult {
        try relkit(arguments, in: repository.path, environment: releaseEnvironment)
    }
}

@Suite("the first hour: relkit init finds the internal pins")
struct InitPinsTests {
    @Test func initConfiguresEveryPinAndCutMovesThem() throws {
        let monorepo = try PinningMonorepo()
        let repository = monorepo.repository
        defer { repository.remove() }
        let initialised = try monorepo.run(["init"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let configuration = try String(contentsOfFile: repository.scratch.file(".release.toml"), encoding: .utf8)
        #expect(configuration.contains("""
            [[requirements]]
            files = ["constraints.txt", "packages/*/pyproject.toml", "requirements.txt", "requirements/dev.txt"]
            packages = ["acme-core", "acme_api"]
            version-of = "core"
            """), "\(configuration)")
        try repository.git("add", ".release.toml")
        try repository.git("commit", "-q", "-m", "relkit init")
        let check = try monorepo.run(["check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        let cut = try monorepo.run(["cut", "26.05"])
        #expect(cut.status == 0, "\(cut.stdout)\(cut.stderr)")
        for (file, expected) in [("requirements.txt", "acme-core==26.5.0\nacme-api==26.5.0  # the service\nrequests>=2\n"),
                                 ("requirements/dev.txt", "-r ../requirements.txt\nacme-core==26.5.0\npytest>=8\n"),
                                 ("constraints.txt", "acme-api==26.5.0\n")] {
            #expect(try repository.git("show", "26.05:\(file)") + "\n" == expected, "\(file) on the release branch")
        }
        let api = try repository.git("show", "26.05:packages/api/pyproject.toml")
        #expect(api.contains("\"acme-core==26.5.0\","), "\(api)")
        #expect(api.contains("server = [\"acme-core[server]==26.5.0\"]"), "the optional dependency too: \(api)")
        #expect(try repository.git("show", "main:constraints.txt") == "acme-api==26.6.0.dev0", "main moved on, pins too")
        #expect(try monorepo.run(["check", "--ref", "26.05"]).status == 0)

        // A pin left behind on the release branch is a finding.
        try repository.git("checkout", "-q", "26.05")
        try repository.commit(["constraints.txt": "acme-api==26.5.0.dev0\n"], message: "a stale pin")
        let stale = try monorepo.run(["check", "--ref", "26.05"])
        #expect(stale.status == 1)
        #expect(stale.stdout.contains("constraints.txt"), "\(stale.stdout)")
    }
}
