import Foundation

/// The repository's `scripts/` directory (the shipped policies and hooks), for fixtures that copy it.
public enum ShippedScripts {
    public static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts").path
}
