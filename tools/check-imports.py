#!/usr/bin/env python3
"""Checks that every target's Swift imports are declared in Package.swift, that every mailmon
module a target declares is imported somewhere in it (no module used through another one's
re-export, no dead dependency), and that no module imports what the layering forbids
(docs/decisions/0007-module-layout.md). Run by `make test`. Exit 1 with the differences."""
import pathlib, re, subprocess, sys, json

root = pathlib.Path(__file__).resolve().parent.parent
description = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, capture_output=True, text=True, check=True).stdout)
targets = {t["name"]: t for t in description["targets"]}
products = {}  # product name -> package
for target in description["targets"]:
    for dependency in target["dependencies"]:
        if "product" in dependency:
            products[dependency["product"][0]] = dependency["product"][1]

system = {"Foundation", "FoundationEssentials", "Dispatch", "Glibc", "Darwin", "Musl", "Synchronization", "Testing", "XCTest", "os"}
import_line = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:public |internal |package |private |fileprivate )?import (?:struct |class |enum |func |protocol )?(\w+)", re.M)
# The layering of docs/decisions/0007-module-layout.md: what a module must never import.
forbidden = {
    "Domain": {"GRDB", "GRDBSQLite", "SQLiteStore", "LuaHost", "CLua", "NIOCore", "NIOPosix", "Engine", "API", "App"},
    "Engine": {"GRDB", "GRDBSQLite", "SQLiteStore", "API", "App", "Hummingbird"},
    "API": {"GRDB", "GRDBSQLite", "SQLiteStore", "LuaHost", "CLua", "App", "Dashboard", "Mustache"},
    "Dashboard": {"GRDB", "GRDBSQLite", "SQLiteStore", "LuaHost", "CLua", "App"},
    "Notifiers": {"GRDB", "SQLiteStore", "LuaHost", "Engine", "API", "App"},
    "SQLiteStore": {"Engine", "API", "App", "LuaHost"},
    "mailmon": {"GRDB", "SQLiteStore"},
}
problems = []
for name, target in targets.items():
    if target["type"] == "system":
        continue
    path = root / (target.get("path") or ("Tests/" + name if target["type"] == "test" else "Sources/" + name))
    imported = set()
    for file in path.rglob("*.swift"):
        imported |= set(import_line.findall(file.read_text()))
    declared = set()
    for dependency in target["dependencies"]:
        if "byName" in dependency:
            declared.add(dependency["byName"][0])
        elif "target" in dependency:
            declared.add(dependency["target"][0])
        elif "product" in dependency:
            declared.add(dependency["product"][0])
    for module in sorted(imported & forbidden.get(name, set())):
        problems.append(f"{name}: must not import {module} (docs/decisions/0007-module-layout.md)")
    undeclared = sorted(imported - declared - system - {name})
    local_unused = sorted(d for d in declared if d in targets and d not in imported and d != "CLua" or (d == "CLua" and "CLua" not in imported))
    if undeclared:
        problems.append(f"{name}: imports {', '.join(undeclared)} without declaring it in Package.swift")
    if local_unused:
        problems.append(f"{name}: declares {', '.join(local_unused)} but imports none of it")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"imports match Package.swift for {len(targets)} targets")
