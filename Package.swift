// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "mailmon",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mailmon", targets: ["mailmon"]),
        .library(name: "LuaHost", targets: ["LuaHost"]),
        .library(name: "MailProbe", targets: ["MailProbe"]),
        .library(name: "Domain", targets: ["Domain"]),
        .library(name: "SQLiteStore", targets: ["SQLiteStore"]),
        .library(name: "Notifiers", targets: ["Notifiers"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "API", targets: ["API"]),
        .library(name: "Dashboard", targets: ["Dashboard"]),
        .library(name: "App", targets: ["App"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Lua 5.4 from the system (Debian: liblua5.4-dev). Module map and shim header only.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // JSON string escaping shared by the Lua values' JSON text and the API's writer.
        .target(name: "JSONText", swiftSettings: swiftSettings),
        // The Lua runtime for Swift: sandboxed states, limits, value bridging, versioned scripts.
        .target(
            name: "LuaHost",
            dependencies: [
                "CLua", "JSONText",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // IMAP and POP3 checks. Knows nothing of the database or Lua.
        .target(
            name: "MailProbe",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // The domain: records, pages, errors and the repository protocols the stores implement. Foundation only.
        .target(name: "Domain", swiftSettings: swiftSettings),
        // The SQLite store (GRDB): schema, migrations, group commit, point readers, WAL checkpoints.
        // The only module that imports GRDB.
        .target(
            name: "SQLiteStore",
            dependencies: [
                "Domain",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Alert senders: SMTP (sharing MailProbe's framing and failure classification), webhooks, Slack, SMS.
        .target(
            name: "Notifiers",
            dependencies: [
                "Domain", "MailProbe",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // The engine: policies, monitor services, scheduler/worker, incidents, the alert outbox, history.
        // Knows the stores only through Domain's protocols.
        .target(
            name: "Engine",
            dependencies: [
                "Domain", "LuaHost", "MailProbe", "Notifiers",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP routes, auth, JSON shapes, error mapping.
        .target(
            name: "API",
            dependencies: [
                "Engine", "Domain", "JSONText",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The web dashboard and status pages: server-rendered HTML (swift-mustache) on the API's router,
        // signed in with an API token. Templates and assets are compiled into the binary.
        .target(
            name: "Dashboard",
            dependencies: [
                "API", "Engine", "Domain",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.embedInCode("Templates"), .embedInCode("Assets")],
            swiftSettings: swiftSettings
        ),
        // Wiring: builds the runtime from settings; the one module that names a concrete store.
        .target(
            name: "App",
            dependencies: [
                "Domain", "SQLiteStore", "Engine", "API", "Dashboard", "LuaHost", "MailProbe", "Notifiers", "JSONText",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "mailmon",
            dependencies: [
                "App", "Domain", "LuaHost", "MailProbe", "Engine", "API", "Dashboard", "Notifiers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "LuaHostBenchmark",
            dependencies: ["LuaHost", "CLua"],
            path: "Benchmarks/LuaHostBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ProbeBenchmark",
            dependencies: [
                "MailProbe", "MailmonTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Benchmarks/ProbeBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "APIBenchmark",
            dependencies: [
                "App", "API", "Dashboard", "Engine", "Domain", "SQLiteStore", "LuaHost", "MailmonTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/APIBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "WorkerBenchmark",
            dependencies: [
                "App", "Engine", "Domain", "SQLiteStore", "LuaHost", "MailmonTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/WorkerBenchmark",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LuaHostTests",
            dependencies: ["LuaHost"],
            swiftSettings: swiftSettings
        ),
        // Real peers for the integration suites: Dovecot, certificates, misbehaving listeners.
        .target(
            name: "MailmonTestSupport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Tests/MailmonTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "APITests",
            dependencies: [
                "App", "API", "Dashboard", "Engine", "Domain", "SQLiteStore", "Notifiers", "MailmonTestSupport", "LuaHost",
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "SQLiteStoreTests",
            dependencies: [
                "SQLiteStore", "Domain", "MailmonTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // One suite written against Domain's repository protocols, run for every store (StoreKind).
        .testTarget(
            name: "RepositoryContractTests",
            dependencies: ["Domain", "SQLiteStore", "MailmonTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "Domain", "SQLiteStore", "App", "LuaHost", "MailProbe", "Notifiers", "MailmonTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AppTests",
            dependencies: ["App", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NotifiersTests",
            dependencies: ["Notifiers", "Domain", "MailmonTestSupport"],
            swiftSettings: swiftSettings
        ),
        // Runs the built `mailmon` executable as a separate process (signals, restarts).
        .testTarget(
            name: "MailmonCLITests",
            dependencies: [
                "App", "Engine", "Domain", "SQLiteStore", "Notifiers", "LuaHost", "MailmonTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailProbeTests",
            dependencies: ["MailProbe", "MailmonTestSupport"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
