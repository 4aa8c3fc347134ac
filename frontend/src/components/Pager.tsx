import { useCallback, useState } from "react";

interface Props {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  total?: number;
  label: string;
}

/** Previous / next over cursor pages. */
export function Pager({ page, hasPrevious, hasNext, onPrevious, onNext, total, label }: Props) {
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" className="btn small ghost" disabled={!hasPrevious} onClick={onPrevious}>
        ← Previous
      </button>
      <span className="pager-info">
        Page {page}
        {total !== undefined ? ` · ${total} in all` : ""}
      </span>
      <button type="button" className="btn small ghost" disabled={!hasNext} onClick={onNext}>
        Next →
      </button>
    </nav>
  );
}


/** Cursor pages: the cursors seen so far, so that Previous goes back exactly. */
export function useCursorPages() {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const after = cursors[cursors.length - 1];
  const next = useCallback((endCursor: string | null | undefined) => {
    if (endCursor) setCursors((list) => [...list, endCursor]);
  }, []);
  const previous = useCallback(() => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list)), []);
  const reset = useCallback(() => setCursors([null]), []);
  return { after, page: cursors.length, next, previous, reset, hasPrevious: cursors.length > 1 };
}
