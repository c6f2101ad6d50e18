// Copies the NHS.UK frontend's script and images from node_modules into web/static/nhsuk,
// where the Go build embeds them. Run by `npm run build` (make assets).
import { cpSync, mkdirSync } from 'node:fs'

const from = 'node_modules/nhsuk-frontend/dist/nhsuk'
const to = 'web/static/nhsuk'
mkdirSync(to, { recursive: true })
cpSync(`${from}/nhsuk-frontend.min.js`, `${to}/nhsuk-frontend.min.js`)
cpSync(`${from}/assets/images`, `${to}/assets/images`, { recursive: true })
