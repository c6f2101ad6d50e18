// Roles: one user for each role signs in through the form, sees exactly the navigation their
// role allows, is refused the pages it does not, and signs out with the header's button.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { NAV, PASSWORD, PUBLIC_NAV, Session, explain, launchBrowser, seed, startServer } from './harness.mjs'

const PLACE = 'Wakefield'
const COUNCIL = 'Wakefield Council'
const TRUST = 'Wakefield Community Trust'

const users = [
  { role: 'admin', email: 'admin@example.org', name: 'Alex Admin', org: COUNCIL },
  { role: 'commissioner', email: 'commissioner@example.org', name: 'Chris Commissioner', org: COUNCIL },
  { role: 'manager', email: 'manager@example.org', name: 'Morgan Manager', org: TRUST },
  { role: 'link_worker', email: 'linkworker@example.org', name: 'Lee Linkworker', org: TRUST },
  { role: 'referrer', email: 'referrer@example.org', name: 'Robin Referrer', org: COUNCIL },
  { role: 'community', email: 'community@example.org', name: 'Cam Community', org: TRUST },
]

// Pages only some roles may open, and who may.
const restricted = {
  '/users': ['admin', 'manager'],
  '/users/new': ['admin'],
  '/audit': ['admin'],
  '/organisations/new': ['admin'],
  '/services': ['admin', 'manager', 'community'],
  '/services/new': ['admin', 'manager', 'community'],
  '/taxonomies': ['admin'],
  '/practitioners': ['admin', 'commissioner', 'manager', 'link_worker', 'referrer'],
  '/practitioners/me': ['admin', 'commissioner', 'manager', 'link_worker', 'referrer'],
  '/practitioners/new': ['admin', 'manager'],
}

let server, browser

before(async () => {
  server = await startServer({
    prepare: (run) => seed(run, {
      place: PLACE,
      organisations: [{ name: COUNCIL, sector: 'council' }, { name: TRUST, sector: 'vcse' }],
      users,
    }),
  })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

test('signed out, pages send you to sign in and back to where you were going', async () => {
  const s = await Session.open(browser, server, { name: 'anonymous' })
  await explain(s, async () => {
    for (const path of ['/organisations', '/users', '/audit', '/account/tokens']) {
      const r = await s.fetch(path)
      assert.equal(r.status, 303, `GET ${path} signed out should redirect`)
      assert.equal(r.location, `/signin?next=${encodeURIComponent(path)}`, `GET ${path} signed out`)
    }
    await s.goto('/account')
    assert.equal(s.path(), '/signin?next=%2Faccount')
    assert.equal(await s.heading(), 'Sign in to linkwork')
    assert.deepEqual(await s.nav(), PUBLIC_NAV, 'only the public navigation when signed out')
    // A wrong password is refused with the error summary.
    await s.fill({ email: 'linkworker@example.org', password: 'not the right password' })
    assert.equal(await s.submit('Sign in'), 401)
    const errors = await s.errorSummary()
    assert.equal(errors.length, 1, `one error for a wrong password, got ${JSON.stringify(errors)}`)
    assert.match(await s.page.title(), /^Error: Sign in/)
    // The right one leads back to the page asked for.
    await s.fill({ email: 'linkworker@example.org', password: PASSWORD })
    assert.equal(await s.submit('Sign in'), 200)
    assert.equal(s.path(), '/account')
    assert.equal(await s.heading(), 'Your account')
    await s.signOut()
    s.assertClean()
  })
  await s.close()
})

describe('each role', () => {
  for (const u of users) {
    test(`${u.role} sees ${NAV[u.role].join(', ')}`, async () => {
      const s = await Session.open(browser, server, { name: u.role })
      await explain(s, async () => {
        assert.equal(await s.signIn(u.email), 200, `${u.role} signs in`)
        assert.equal(s.path(), '/')
        assert.equal(await s.heading(), PLACE)
        assert.match(await s.page.locator('.nhsuk-lede-text').textContent(), new RegExp(`^Signed in as ${u.name}, .+ at ${u.org}\\.$`))
        assert.equal((await s.page.locator('.nhsuk-header__account-link').textContent()).trim(), u.name)
        assert.deepEqual(await s.nav(), NAV[u.role], `${u.role}'s navigation`)
        const current = await s.page.locator('nav[aria-label="Menu"] [aria-current="page"]').allTextContents()
        assert.deepEqual(current.map((t) => t.trim()), ['Home'], 'Home is the current section')

        // The home page offers the same sections as the navigation (and, for those who have
        // a caseload, their workload, which the header has no room for), and each opens.
        const cards = (await s.page.locator('.nhsuk-card__link').allTextContents()).map((t) => t.trim())
        const sections = NAV[u.role].slice(1)
        if (u.role === 'manager' || u.role === 'link_worker') sections.splice(sections.indexOf('Your account'), 0, 'Your workload')
        assert.deepEqual(cards, sections, `${u.role}'s home page sections`)
        const hrefs = await s.page.locator('nav[aria-label="Menu"] li.nhsuk-header__navigation-item > a')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href')))
        for (const href of hrefs) assert.equal((await s.fetch(href)).status, 200, `${u.role}: ${href} should open`)

        // Everyone can see the organisations and open one; only admins may change them.
        await s.clickAndWait(s.page.locator('nav[aria-label="Menu"]').getByRole('link', { name: 'Organisations', exact: true }))
        assert.equal(s.path(), '/organisations')
        assert.deepEqual((await s.page.locator('nav[aria-label="Menu"] [aria-current="page"]').allTextContents()).map((t) => t.trim()),
          ['Organisations'], 'Organisations is the current section')
        assert.equal(await s.page.locator('table.nhsuk-table tbody tr').count(), 2)
        assert.equal(await s.page.getByRole('link', { name: 'Add an organisation' }).count(), u.role === 'admin' ? 1 : 0)
        await s.clickAndWait(s.page.getByRole('link', { name: TRUST }))
        assert.equal(await s.heading(), TRUST)
        assert.equal(await s.page.getByRole('link', { name: 'Change details' }).count(), u.role === 'admin' ? 1 : 0)
        // Admins and the trust's manager see who works there; nobody else does.
        const seesPeople = u.role === 'admin' || (u.role === 'manager' && u.org === TRUST)
        assert.equal(await s.page.getByRole('heading', { name: 'People' }).count(), seesPeople ? 1 : 0, `${u.role}: People section`)
        const edit = `${s.path()}/edit`
        if (u.role === 'admin') assert.equal((await s.fetch(edit)).status, 200)
        else await s.assertForbiddenQuick(edit)

        // The pages outside the role are refused: one in the browser, the rest by HTTP.
        let shown = false
        for (const [path, allowed] of Object.entries(restricted)) {
          if (allowed.includes(u.role)) {
            assert.equal((await s.fetch(path)).status, 200, `${u.role}: ${path} should open`)
          } else if (!shown) {
            await s.assertForbidden(path)
            // The 403 page keeps the role's navigation, so the person can go on.
            assert.deepEqual(await s.nav(), NAV[u.role])
            shown = true
          } else {
            await s.assertForbiddenQuick(path)
          }
        }

        if (u.role === 'manager') {
          // A manager sees the people of their own organisation only.
          await s.goto('/users')
          const emails = await s.page.locator('table.nhsuk-table tbody tr td:nth-child(2)').allTextContents()
          assert.deepEqual(emails.map((e) => e.trim()).sort(),
            users.filter((x) => x.org === TRUST).map((x) => x.email).sort())
        }

        await s.signOut()
        // Signed out, the session is over.
        const r = await s.fetch('/account')
        assert.equal(r.location, '/signin?next=%2Faccount', 'after signing out /account asks to sign in')
        s.assertClean()
      })
      await s.close()
    })
  }
})
