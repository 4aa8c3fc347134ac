import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { tokenStore } from "./auth/tokenStore";
import "./styles.css";

// A reload keeps this tab's session (sessionStorage), nothing more: see tokenStore.ts.
tokenStore.restore();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
