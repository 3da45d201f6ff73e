import Mustache

// Values the templates read many times a page (rows, options, counts) answer lookups by name
// directly: swift-mustache otherwise reflects (Mirror) on every lookup, which was 97 % of the
// fleet page's time with 50 rows (67 ms of CPU a page; docs/benchmarks.md).

extension FleetRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "href": href
        case "publicId": publicId
        case "name": self.name
        case "customer": customer
        case "state": state
        case "since": since
        case "sinceISO": sinceISO
        case "lastCheck": lastCheck
        case "lastCheckISO": lastCheckISO
        case "response": response
        case "sparkline": sparkline
        case "certificate": certificate
        case "certificateWarning": certificateWarning
        case "failure": failure
        default: nil
        }
    }
}

extension StateCount: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "state": state
        case "count": count
        case "href": href
        case "current": current
        default: nil
        }
    }
}

extension Option: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "value": value
        case "label": label
        case "selected": selected
        default: nil
        }
    }
}

extension Fact: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "value": value
        default: nil
        }
    }
}

extension CheckRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "at": at
        case "atISO": atISO
        case "ok": ok
        case "result": result
        case "category": category
        case "message": message
        case "response": response
        case "hookVersion": hookVersion
        default: nil
        }
    }
}

extension IncidentRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "publicId": publicId
        case "href": href
        case "type": type
        case "status": status
        case "active": active
        case "message": message
        case "monitorName": monitorName
        case "monitorHref": monitorHref
        case "customer": customer
        case "started": started
        case "startedISO": startedISO
        case "duration": duration
        case "acknowledged": acknowledged
        case "canAcknowledge": canAcknowledge
        default: nil
        }
    }
}

extension StatusEntryView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "hostname": hostname
        case "state": state
        case "stateLabel": stateLabel
        case "bars": bars
        case "uptime": uptime
        default: nil
        }
    }
}

// The pages around the rows: a row's empty optional is looked up in them too (the context stack).

extension FleetLive: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "counts": counts
        case "rows": rows
        case "empty": empty
        case "total": total
        case "pager": pager
        case "updatedAt": updatedAt
        default: nil
        }
    }
}

extension FleetView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "chrome": chrome
        case "search": search
        case "states": states
        case "customers": customers
        case "canCreate": canCreate
        case "liveURL": liveURL
        case "refreshSeconds": refreshSeconds
        case "live": live
        default: nil
        }
    }
}

extension Chrome: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "who": who
        case "role": role
        case "csrf": csrf
        default: nil
        }
    }
}
