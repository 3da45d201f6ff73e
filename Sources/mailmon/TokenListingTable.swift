import Foundation
import Engine
import Domain

/// `mailmon token list` as text: one row per token, columns aligned.
enum TokenListingTable {
    static func text(_ tokens: [TokenListing]) -> String {
        guard !tokens.isEmpty else { return "no tokens\n" }
        let header = ["ID", "PREFIX", "ROLE", "SCOPE", "ORGANIZATION", "USER", "CREATED"]
        let rows = tokens.map { token in
            [
                String(token.id), token.prefix + "…", token.role.rawValue + (token.globalSupporter ? " (global supporter)" : "") + (token.platformOperator ? " (operator)" : ""),
                token.customerId.map { "customer \($0)" } ?? "all customers", String(token.organizationId), token.userName,
                Timestamp.format(token.createdAt),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ") + "\n"
        }.joined()
    }
}
