import Foundation

/// Where the scripts are when no flag, variable or config key says: `./scripts` when the working
/// directory has one (a checkout: `make run`), else the share directory `make install` puts them in,
/// beside the binary's (`PREFIX/bin/mailmon` → `PREFIX/share/mailmon/scripts`).
enum InstalledScripts {
    static var defaultDirectory: String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: "scripts", isDirectory: &isDirectory), isDirectory.boolValue { return "scripts" }
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return "scripts" }
        return URL(fileURLWithPath: executable).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/mailmon/scripts").path
    }
}
