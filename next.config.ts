import type { NextConfig } from 'next'

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and WebAssembly database drivers load from node_modules at run time.
  serverExternalPackages: ['better-sqlite3', '@prisma/adapter-better-sqlite3', '@prisma/adapter-pg', 'pg', '@prisma/schema-engine-wasm'],
  experimental: {
    // forbidden() answers 403 from server components.
    authInterrupts: true,
    serverActions: { bodySizeLimit: '64kb' },
  },
  webpack(config, { isServer }) {
    // The Cornerstone codecs' emscripten glue requires 'fs', which the browser never uses.
    if (!isServer) config.resolve.fallback = { ...config.resolve.fallback, fs: false, path: false }
    return config
  },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'no-referrer' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), interest-cohort=()' },
          // Cross-origin isolation: SharedArrayBuffer, so ORT's WASM runs on several threads.
          // Everything the page loads is same-origin except DICOMweb, which it fetches in CORS
          // mode (the PACS, or the nginx in front of it, answers with CORS headers).
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
        ],
      },
      // API answers carry personal data (names, roles, reads, the audit trail): no browser
      // or proxy may keep them. Routes that set their own Cache-Control (model files, the
      // synthetic demo studies) serve nothing personal.
      { source: '/api/:path*', headers: [{ key: 'Cache-Control', value: 'no-store' }] },
    ]
  },
}

export default nextConfig
