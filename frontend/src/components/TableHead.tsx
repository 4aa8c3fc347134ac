import type { ReactNode } from "react";

/** A column's heading, with its class where it has one: "right" for figures,
 * "hide-sm" for what a small screen leaves out. */
export type Column = string | readonly [label: string, className: string];

/** A table's heading row; `children` follow the named columns (an actions column). */
export function TableHead({ columns, children }: { columns: readonly Column[]; children?: ReactNode }) {
  return (
    <thead>
      <tr>
        {columns.map((column) =>
          typeof column === "string" ? (
            <th key={column}>{column}</th>
          ) : (
            <th key={column[0]} className={column[1]}>
              {column[0]}
            </th>
          ),
        )}
        {children}
      </tr>
    </thead>
  );
}
