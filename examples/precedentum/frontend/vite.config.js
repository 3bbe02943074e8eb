import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` passes the backend's paths to a local Django (python manage.py runserver).
const backend = process.env.PRECEDENTUM_BACKEND_URL || "http://127.0.0.1:8000";
const proxied = Object.fromEntries(["/api", "/admin", "/static", "/accounts"].map((p) => [p, backend]));

export default defineConfig({
  plugins: [react()],
  server: { proxy: proxied },
  build: { outDir: "dist", assetsDir: "assets" },
});
