// swift-tools-version:6.0
// Layers point one way: continuo (CLI) -> Offline -> Model, Encoding -> MIDI.
// CContinuoMath (matrix products on oneDNN) and CContinuoKernels (SIMD kernels) sit under Model.
// At the bottom, one of each: ContinuoJSON (the codec of the protocol and of safetensors
// headers) and ContinuoRandom (the seeded generator the C kernels mirror).
// Pure modules (JSON, Random, MIDI, Encoding, Model) open no files, read no clocks and start no threads.
import PackageDescription

/// Hot loops over events and weights: dynamic exclusivity checks cost more than the work.
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Continuo",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "continuo", targets: ["continuo"]),
        // The LV2 plugin (continuo.lv2/libContinuoLV2.so; `continuo lv2 install` makes the bundle).
        .library(name: "ContinuoLV2", type: .dynamic, targets: ["ContinuoLV2"]),
        .library(name: "ContinuoMIDI", targets: ["ContinuoMIDI"]),
        .library(name: "ContinuoEncoding", targets: ["ContinuoEncoding"]),
        .library(name: "ContinuoModel", targets: ["ContinuoModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.0.0"),
    ],
    targets: [
        .target(name: "ContinuoJSON"),
        .target(name: "ContinuoRandom", swiftSettings: fast),
        .target(name: "ContinuoMIDI", swiftSettings: fast),
        .target(name: "ContinuoEncoding", dependencies: ["ContinuoMIDI"], swiftSettings: fast),
        // Always optimised, even in debug builds: the kernels are the hot path. AVX-512 code is
        // enabled per function and chosen at run time, so no global -m flags.
        .target(name: "CContinuoKernels",
                cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])],
                linkerSettings: [.linkedLibrary("m")]),
        // oneDNN (Debian's libdnnl-dev, no pkg-config file) detects the CPU itself; OpenMP is its
        // thread pool, so libgomp is named for the thread-count calls.
        .target(name: "CContinuoMath",
                cSettings: [.unsafeFlags(["-O3"])],
                linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),
        .target(name: "ContinuoModel", dependencies: ["CContinuoMath", "CContinuoKernels", "ContinuoJSON", "ContinuoRandom"]),
        .target(name: "ContinuoSampling", dependencies: ["ContinuoMIDI", "ContinuoEncoding", "ContinuoRandom"], swiftSettings: fast),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "ContinuoPlot", dependencies: ["CZlib", "ContinuoMIDI"]),
        .systemLibrary(name: "CJack", pkgConfig: "jack", providers: [.apt(["libjack-jackd2-dev"])]),
        .target(name: "ContinuoJACK", dependencies: ["CJack", "ContinuoMIDI"], swiftSettings: fast),
        .systemLibrary(name: "CAlsa", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
        .target(name: "ContinuoALSA", dependencies: ["CAlsa", "ContinuoMIDI"], swiftSettings: fast),
        .target(name: "ContinuoParameters"),
        // What a musician hears in the performer: beat, key, chords, motifs. Pure, no clock.
        .target(name: "ContinuoListening", swiftSettings: fast),
        .target(name: "ContinuoEngine",
                dependencies: ["ContinuoMIDI", "ContinuoEncoding", "ContinuoModel", "ContinuoSampling", "ContinuoParameters", "ContinuoListening"], swiftSettings: fast),
        .target(name: "ContinuoDaemon",
                dependencies: ["ContinuoEngine", "ContinuoJACK", "ContinuoALSA", "ContinuoProtocol", "ContinuoFiles", "ContinuoModel", "ContinuoSampling", "ContinuoEncoding", "ContinuoMIDI",
                               .product(name: "TOMLKit", package: "TOMLKit"),
                               .product(name: "Histogram", package: "hdrhistogram-swift")]),
        .target(name: "ContinuoWeb", dependencies: ["ContinuoDaemon", "ContinuoParameters",
                                                     .product(name: "Hummingbird", package: "hummingbird"),
                                                     .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket")]),
        .systemLibrary(name: "CLV2", pkgConfig: "lv2", providers: [.apt(["lv2-dev"])]),
        .target(name: "ContinuoLV2", dependencies: ["CLV2", "ContinuoDaemon", "ContinuoJACK", "ContinuoMIDI", "ContinuoParameters", "ContinuoProtocol"]),
        .target(name: "ContinuoProtocol", dependencies: ["ContinuoParameters", "ContinuoJSON"]),
        // Child processes that are always stopped and reaped (the harness's jackd and daemon).
        .target(name: "ContinuoProcess"),
        .target(name: "ContinuoHarness",
                dependencies: ["CLV2", "ContinuoParameters", "ContinuoJACK", "ContinuoMIDI", "ContinuoRandom", "ContinuoProcess", .product(name: "Histogram", package: "hdrhistogram-swift")]),
        // Test-only: shared fixtures and waits; no shipped target depends on it.
        .target(name: "ContinuoTestSupport", dependencies: ["ContinuoProcess"]),
        .target(name: "ContinuoFiles", dependencies: ["ContinuoModel", "ContinuoEncoding"]),
        .target(name: "ContinuoOffline",
                dependencies: ["ContinuoFiles", "ContinuoJSON", "ContinuoMIDI", "ContinuoEncoding", "ContinuoModel", "ContinuoRandom", "ContinuoSampling", "ContinuoPlot",
                               "ContinuoEngine", "ContinuoListening", "ContinuoParameters"]),
        .executableTarget(name: "continuo",
                          dependencies: ["ContinuoDaemon", "ContinuoWeb", "ContinuoHarness", "ContinuoALSA", "CLV2", "ContinuoProtocol", "ContinuoParameters", "ContinuoOffline", "ContinuoModel", "ContinuoEncoding", "ContinuoMIDI", "ContinuoSampling",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "ContinuoJSONTests", dependencies: ["ContinuoJSON", "ContinuoRandom"]),
        .testTarget(name: "ContinuoRandomTests", dependencies: ["ContinuoRandom"]),
        .testTarget(name: "ContinuoMIDITests", dependencies: ["ContinuoMIDI", "ContinuoRandom", "ContinuoTestSupport"]),
        .testTarget(name: "ContinuoEncodingTests", dependencies: ["ContinuoEncoding", "ContinuoTestSupport"]),
        .testTarget(name: "ContinuoModelTests", dependencies: ["ContinuoModel", "CContinuoMath", "ContinuoRandom", "CContinuoKernels", "ContinuoEncoding", "ContinuoTestSupport"]),
        .testTarget(name: "ContinuoSamplingTests", dependencies: ["ContinuoSampling"]),
        .testTarget(name: "ContinuoPlotTests", dependencies: ["ContinuoPlot", "ContinuoMIDI", "ContinuoTestSupport"]),
        .testTarget(name: "ContinuoJACKTests", dependencies: ["ContinuoJACK", "ContinuoMIDI", "ContinuoHarness", "ContinuoTestSupport"]),
        .testTarget(name: "ContinuoEngineTests", dependencies: ["ContinuoEngine", "ContinuoMIDI", "ContinuoParameters", "ContinuoListening"]),
        .testTarget(name: "ContinuoListeningTests", dependencies: ["ContinuoListening"]),
        .testTarget(name: "ContinuoALSATests", dependencies: ["ContinuoALSA", "ContinuoMIDI"]),
        .testTarget(name: "ContinuoDaemonTests", dependencies: ["ContinuoDaemon", "ContinuoALSA", "ContinuoEngine", "ContinuoJACK", "ContinuoMIDI", "ContinuoModel", "ContinuoEncoding", "ContinuoProtocol"]),
        .testTarget(name: "ContinuoProtocolTests", dependencies: ["ContinuoProtocol", "ContinuoRandom"]),
        .testTarget(name: "ContinuoOfflineTests", dependencies: ["ContinuoOffline"]),
        .testTarget(name: "ContinuoCLITests", dependencies: ["continuo", "ContinuoOffline", "ContinuoALSA", "ContinuoMIDI", "ContinuoModel", "ContinuoHarness", "ContinuoDaemon", "ContinuoProtocol", "ContinuoTestSupport"]),
    ]
)
