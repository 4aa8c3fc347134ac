import { Link } from "react-router";

export function NotFoundPage() {
  return (
    <div className="narrow center">
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link to="/" className="btn primary">
        Back to the start
      </Link>
    </div>
  );
}
