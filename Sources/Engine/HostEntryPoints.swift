/// The scripts, and their functions, that mailmon itself calls. A script set without one
/// of them is refused on start, on reload and by `mailmon scripts check`, naming what is
/// missing, instead of being activated and failing every create or check afterwards.
public enum HostEntryPoints {
    public static let required: [String: [String]] = [
        MonitorPolicy.createScript: ["decide"],
        MonitorPolicy.updateScript: ["decide"],
        PostCheckHook.script: ["decide"],
        PortRule.script: ["default_port"],
        AccessPolicy.script: ["decide"],
        PostCheckHook.fallbackScript: [PostCheckHook.fallbackFunction],
    ]
}
