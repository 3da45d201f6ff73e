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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // Lua 5.4 from the system (Debian: liblua5.4-dev). Module map and shim header only.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // The Lua runtime for Swift: sandboxed states, limits, value bridging, versioned scripts.
        .target(
            name: "LuaHost",
            dependencies: [
                "CLua",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // IMAP and POP3 checks. Knows nothing of the database or Lua.
        .target(
            name: "MailProbe",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "mailmon",
            dependencies: [
                "LuaHost",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "LuaHostBenchmark",
            dependencies: ["LuaHost", "CLua"],
            path: "Benchmarks/LuaHostBenchmark",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LuaHostTests",
            dependencies: ["LuaHost"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailProbeTests",
            dependencies: ["MailProbe"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
