// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "parley",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ParleyLog", targets: ["ParleyLog"]),
        .library(name: "ParleyDomain", targets: ["ParleyDomain"]),
        .library(name: "ParleyProjections", targets: ["ParleyProjections"]),
        .executable(name: "parley", targets: ["parley"]),
        .executable(name: "parley-load", targets: ["parley-load"]),
        .executable(name: "parleyctl", targets: ["parleyctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CRocksDB",
            pkgConfig: "rocksdb",
            providers: [.apt(["librocksdb-dev"])]
        ),
        .target(
            name: "ParleyLog",
            dependencies: [
                "CRocksDB",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        .target(name: "ParleyDomain"),
        .target(
            name: "ParleyProjections",
            dependencies: ["ParleyLog", "ParleyDomain"]
        ),
        .target(
            name: "ParleyServer",
            dependencies: [
                "COpenSSL",
                "ParleyLog",
                "ParleyDomain",
                "ParleyProjections",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "parley",
            dependencies: [
                "ParleyServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "ParleyLoadKit",
            dependencies: [
                "ParleyLog",
                "ParleyDomain",
                "ParleyProjections",
                "ParleyServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Tools/ParleyLoadKit"
        ),
        .executableTarget(
            name: "parley-load",
            dependencies: [
                "ParleyLoadKit",
                "ParleyProjections",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/parley-load"
        ),
        .target(
            name: "ParleyControl",
            dependencies: [
                "CLZ4",
                "COpenSSL",
                "ParleyLog",
                "ParleyDomain",
                "ParleyProjections",
                "ParleyServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tools/ParleyControl"
        ),
        .executableTarget(
            name: "parleyctl",
            dependencies: [
                "ParleyControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/parleyctl"
        ),
        .testTarget(
            name: "ParleyLogTests",
            dependencies: [
                "ParleyLog",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "EventSchemaCheck",
            dependencies: ["ParleyDomain"],
            path: "Tests/EventSchemaCheck"
        ),
        .testTarget(
            name: "ParleyDomainTests",
            dependencies: ["ParleyDomain", "EventSchemaCheck"]
        ),
        .testTarget(
            name: "ParleyProjectionsTests",
            dependencies: ["ParleyProjections", "ParleyDomain", "ParleyLog", "EventSchemaCheck"]
        ),
        .testTarget(
            name: "ParleyServerTests",
            dependencies: [
                "ParleyServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "ParleyLoadKitTests",
            dependencies: ["ParleyLoadKit", "parley-load", "parley"]
        ),
        .testTarget(
            name: "ParleyControlTests",
            dependencies: ["ParleyControl", "ParleyLoadKit", "parleyctl", "parley", "parley-load"]
        ),
    ]
)
