// The measures (issue 8) in a real browser, on the demonstration place with the measures job
// running every second. A commissioner opens the place's dashboard once its figures are made:
// headline figures, each measure's definition, charts each followed by its table, and small
// counts hidden; changes the scope to a connector scheme and to a neighbourhood with the form,
// and is told when the months are the wrong way round. A table downloads as CSV without
// anyone's name in it, the board pack renders, and so does the NHS England extract. A manager
// sees their own organisation's figures as they are. A link worker sees their workload
// against the guide of 200 to 250 a year, a manager their team's, and a commissioner cannot
// see either. An administrator is told when the threshold for hiding counts is out of range.
// axe-core checks each page.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Session, checkErrorSummary, explain, launchBrowser, startServer } from './harness.mjs'

const PLACE = 'Calderdale (demo)'
// The demonstration's logins (see demo/content.go); the password is printed by `linkwork demo`.
const ADMIN = 'admin@example.org'
const COMMISSIONER = 'commissioner@example.org'
const MANAGER = 'manager@example.org'
const WORKER = 'linkworker@example.org'
const MANAGER_ORG = 'Calder Valley Primary Care Network'
const WORKER_NAME = 'Lee Linkworker'
const SCHEME = 'Calder Valley Social Prescribing'

const NHS_EXTRACT_HEADER = 'Month,Scheme,Organisation,Referral source,SNOMED CT code,SNOMED CT description,Count'
const THRESHOLD_ERROR = 'Enter the largest count to hide as a whole number from 0 to 20: 7 is usual, and 0 hides nothing.'

let server, browser, password
const reports = []

before(async () => {
  server = await startServer({
    prepare: (run) => {
      const out = run(['demo'])
      password = out.match(/Password: (\S+)/)?.[1]
      assert.ok(password, `no password in the output of linkwork demo:\n${out}`)
    },
    // The job aggregates at once when the server starts, and again each second a place changes.
    serveArgs: ['--measures-every', '1s'],
  })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** Runs axe on the page and keeps any violations for the end of the file. */
async function check (s, label, status = 200) {
  assert.equal(s.status, status, `${label}: expected HTTP ${status}, got ${s.status} at ${s.path()}`)
  const report = await s.axe(label)
  if (report) reports.push(report)
}

/** The text of an element as it reads, with its white space made single spaces. */
async function text (locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim()
}

/** Signs in a new session as one of the demonstration's users. */
async function signIn (email, name) {
  const s = await Session.open(browser, server, { name })
  assert.equal(await s.signIn(email, password), 200, `${email} signs in`)
  return s
}

/**
 * Opens a dashboard and reloads it until its figures are made and current (the job runs
 * every second), for at most 30 seconds.
 */
async function openWhenCurrent (s, path) {
  const deadline = Date.now() + 30_000
  for (;;) {
    await s.goto(path)
    const main = await text(s.page.locator('main'))
    if (/Figures as of /.test(main) && !/Figures are being updated/.test(main)) return
    assert.ok(Date.now() < deadline, `the figures of ${path} were not made and current within 30 seconds: ${main.slice(0, 400)}`)
    await s.page.waitForTimeout(500)
  }
}

/** Checks a dashboard: every chosen measure with its definition, headline figures, and each chart followed by its table. */
async function checkDashboard (s, label) {
  const contents = (await s.page.locator('nav[aria-label="Measures on this page"] li').allInnerTexts()).map((t) => t.trim())
  assert.equal(contents.at(-1), 'Download the tables', `${label}: the contents end with the downloads`)
  const measures = contents.slice(0, -1)
  assert.ok(measures.length >= 5, `${label}: the place's measures are listed: ${contents}`)
  const sections = s.page.locator('main section.lw-section[aria-labelledby^="measure-"]')
  assert.deepEqual((await sections.locator('h2').allInnerTexts()).map((t) => t.trim()), measures,
    `${label}: a section for each measure in the contents`)
  for (let i = 0; i < measures.length; i++) {
    const section = sections.nth(i)
    const details = section.locator('details.nhsuk-details').first()
    assert.equal(await text(details.locator('summary')), 'What this counts', `${label}: ${measures[i]} says what it counts`)
    const definition = (await details.locator('.nhsuk-details__text').textContent()).trim()
    assert.ok(definition.length > 20, `${label}: ${measures[i]} has a definition: "${definition}"`)
  }
  assert.equal(await s.page.locator('#measure-referrals').count(), 1, `${label}: referrals received are among the measures`)
  const headline = s.page.locator('section[aria-labelledby="measure-referrals"] dl.nhsuk-summary-list .nhsuk-summary-list__row')
  assert.ok(await headline.count() > 0, `${label}: referrals received have headline figures`)

  // Every chart is drawn on the server and followed by the table it is drawn from.
  const charts = await s.page.locator('main figure.lw-figure').evaluateAll((figs) => figs.map((f) => ({
    svg: f.querySelector('svg') !== null,
    next: f.nextElementSibling?.matches('div.nhsuk-table-container') && f.nextElementSibling.querySelector('table') !== null,
  })))
  assert.ok(charts.length >= measures.length, `${label}: charts for the measures (${charts.length})`)
  charts.forEach((c, i) => {
    assert.ok(c.svg, `${label}: chart ${i + 1} is an SVG`)
    assert.ok(c.next, `${label}: chart ${i + 1} is followed by its table`)
  })
}

test('a commissioner reads the place\'s measures, changes the scope and is told about a wrong period', async () => {
  const s = await signIn(COMMISSIONER, 'commissioner')
  await explain(s, async () => {
    await s.clickAndWait(s.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Measures', exact: true }))
    assert.equal(s.path(), '/measures')
    await openWhenCurrent(s, '/measures')
    assert.equal(await s.heading(), `Measures: ${PLACE}`)
    await check(s, 'place dashboard')
    await checkDashboard(s, 'place dashboard')
    const main = await text(s.page.locator('main'))
    assert.match(main, new RegExp(`Measures for ${PLACE.replace(/[()]/g, '\\$&')}, \\w{3} \\d{4} to \\w{3} \\d{4}\\. Figures as of `))
    // The place's dashboard spans organisations: always safe, small counts hidden.
    assert.match(main, /These are safe aggregates: counts from 1 to 7 are hidden \(\[c\]\)/)
    assert.ok(await s.page.locator('main td', { hasText: '[c]' }).count() > 0, 'some small counts show as [c]')
    assert.ok(await s.page.locator('main dd', { hasText: /\d/ }).count() > 0, 'some headline figures are numbers')

    // A connector scheme, chosen with the form.
    await s.page.locator('#scope-scheme').check()
    await s.page.locator('#scheme').selectOption({ label: `${SCHEME} (${MANAGER_ORG})` })
    assert.equal(await s.submit('Show the measures'), 200)
    const q = new URL(s.page.url()).searchParams
    assert.equal(q.get('scope'), 'scheme')
    assert.match(q.get('scheme'), /^\d+$/)
    await openWhenCurrent(s, s.path())
    assert.equal(await s.heading(), `Measures: ${SCHEME}`)
    await check(s, 'scheme dashboard')
    await checkDashboard(s, 'scheme dashboard')
    assert.equal(await s.page.locator('input[name="scope"][value="scheme"]').isChecked(), true, 'the form keeps the scope')
    assert.match(await text(s.page.locator('main')), /These are safe aggregates/, 'a commissioner sees a scheme made safe')

    // A neighbourhood.
    await s.page.locator('#scope-neighbourhood').check()
    const hood = s.page.locator('#neighbourhood option:not([value=""])').first()
    const hoodLabel = (await hood.textContent()).trim()
    await s.page.locator('#neighbourhood').selectOption(await hood.getAttribute('value'))
    assert.equal(await s.submit('Show the measures'), 200)
    assert.equal(new URL(s.page.url()).searchParams.get('scope'), 'neighbourhood')
    await openWhenCurrent(s, s.path())
    assert.equal(await s.heading(), `Measures: ${hoodLabel}`)
    await check(s, 'neighbourhood dashboard')
    await checkDashboard(s, 'neighbourhood dashboard')

    // The months the wrong way round: the problem, linked to the field, and no dashboard.
    await s.fill({ from: '2025-06', to: '2025-03' })
    assert.equal(await s.submit('Show the measures'), 400)
    await checkErrorSummary(s)
    await check(s, 'dashboard with the months the wrong way round', 400)
    assert.deepEqual(await s.errorSummary(), ['The last month must be the first month (2025-06) or after it.'])
    assert.equal(await s.page.locator('.nhsuk-error-summary a').getAttribute('href'), '#to')
    assert.equal(await s.page.locator('#to').inputValue(), '2025-03', 'what was typed stays')
    assert.equal(await s.page.locator('main section.lw-section').count(), 0, 'no dashboard for months that cannot be used')
    s.assertClean()
  })
  await s.close()
})

test('a table downloads as CSV, with a header row and no one\'s name in it', async () => {
  // The names of real people in the demonstration, as their organisation's manager sees them.
  const m = await signIn(MANAGER, 'manager-people')
  const names = await explain(m, async () => {
    await m.goto('/people')
    const cells = await m.page.locator('main table tbody tr > :first-child').allInnerTexts()
    return cells.map((t) => t.trim()).filter((t) => /^\S+ \S+/.test(t))
  })
  await m.close()
  assert.ok(names.length >= 3, `the manager's people are listed: ${names}`)
  const words = [...new Set(names.flatMap((n) => n.split(/\s+/)))]

  const s = await signIn(COMMISSIONER, 'commissioner-csv')
  await explain(s, async () => {
    await openWhenCurrent(s, '/measures')
    const link = s.page.locator('section[aria-labelledby="downloads"]').getByRole('link', { name: 'Referrals received by month (CSV)', exact: true })
    const [download] = await Promise.all([s.page.waitForEvent('download'), link.click()])
    assert.equal(download.suggestedFilename(), 'calderdale-demo-measures-referrals-by-month.csv')
    const csv = (await streamText(await download.createReadStream())).replace(/^\ufeff/, '')
    const lines = csv.split(/\r?\n/).filter((l) => l !== '')
    assert.equal(lines[0], 'Month,Referrals', 'the CSV starts with its header row')
    assert.ok(lines.length >= 13, `a row for each of the 12 months and the total: ${lines.length} lines`)
    assert.match(lines[1], /^\w{3} \d{4},(\d+|\[c\])$/)

    // No table of the dashboard names anyone: every CSV it links to.
    const hrefs = [...new Set(await s.page.locator('section[aria-labelledby="downloads"] a[href^="/measures/export/"]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href'))))]
    assert.ok(hrefs.length >= 10, `the dashboard links to its tables: ${hrefs.length}`)
    for (const href of hrefs) {
      const r = await s.fetch(href)
      assert.equal(r.status, 200, `GET ${href}`)
      assert.ok(r.body.replace(/^\ufeff/, '').split(/\r?\n/)[0].includes(','), `${href} has a header row`)
      for (const n of names) assert.ok(!r.body.includes(n), `${href} names ${n}`)
      for (const w of words) {
        assert.doesNotMatch(r.body, new RegExp(`\\b${w}\\b`, 'u'), `${href} has a person's name in it ("${w}")`)
      }
    }
    s.assertClean()
  })
  await s.close()
})

/** Reads a stream to the end as UTF-8 text. */
async function streamText (stream) {
  const chunks = []
  for await (const c of stream) chunks.push(c)
  return Buffer.concat(chunks).toString('utf8')
}

test('the quarterly board pack renders with its cover, contents and measures', async () => {
  const s = await signIn(COMMISSIONER, 'commissioner-pack')
  await explain(s, async () => {
    await openWhenCurrent(s, '/measures')
    await s.clickAndWait(s.page.getByRole('link', { name: `The quarterly board pack for ${PLACE}`, exact: true }))
    assert.equal(s.path(), '/measures/pack')
    await check(s, 'board pack')
    assert.equal(await text(s.page.locator('#cover')), `Social prescribing measures for ${PLACE}`)
    assert.match(await text(s.page.locator('section[aria-labelledby="cover"]')),
      /Q\d \d{4}\/\d{2}.*, compared with .*Every figure in this pack is a safe aggregate/)
    const contents = (await s.page.locator('nav[aria-label="Contents of the pack"] li').allInnerTexts()).map((t) => t.trim())
    assert.ok(contents.length >= 5, `the pack's contents list its measures: ${contents}`)
    const sections = s.page.locator('main section.lw-section[aria-labelledby^="measure-"]')
    assert.deepEqual((await sections.locator('h2').allInnerTexts()).map((t) => t.trim()), contents, 'a section for each measure')
    for (let i = 0; i < contents.length; i++) {
      assert.equal(await text(sections.nth(i).locator('h3').first()), 'What this counts', `${contents[i]} says what it counts`)
    }
    assert.ok(await s.page.locator('main caption', { hasText: 'Headline figures, this quarter and the quarter before' }).count() > 0,
      'headlines beside the previous quarter')
    assert.ok(await s.page.locator('main figure.lw-figure svg').count() > 0, 'the pack has charts')

    // On paper: the pack, without the choices.
    await s.page.emulateMedia({ media: 'print' })
    assert.equal(await s.page.locator('#cover').isVisible(), true, 'the cover prints')
    assert.equal(await s.page.getByRole('button', { name: 'Make the pack' }).first().isVisible(), false, 'no choices in print')
    await s.page.emulateMedia({ media: 'screen' })
    s.assertClean()
  })
  await s.close()
})

test('a manager sees their own organisation\'s figures as they are; a commissioner sees them made safe', async () => {
  const m = await signIn(MANAGER, 'manager')
  let orgPath
  await explain(m, async () => {
    await openWhenCurrent(m, '/measures')
    await m.page.locator('#scope-organisation').check()
    await m.page.locator('#organisation').selectOption({ label: MANAGER_ORG })
    assert.equal(await m.submit('Show the measures'), 200)
    orgPath = m.path()
    await openWhenCurrent(m, orgPath)
    assert.equal(await m.heading(), `Measures: ${MANAGER_ORG}`)
    await check(m, 'own organisation dashboard (manager)')
    const main = await text(m.page.locator('main'))
    assert.match(main, /You see these figures as they are, unrounded, because you can see the people behind them\./)
    assert.ok(!main.includes('[c]'), 'nothing is hidden from the organisation\'s own manager')
    assert.doesNotMatch(main, /These are safe aggregates/)
    m.assertClean()
  })
  await m.close()

  const s = await signIn(COMMISSIONER, 'commissioner-org')
  await explain(s, async () => {
    await openWhenCurrent(s, orgPath)
    assert.equal(await s.heading(), `Measures: ${MANAGER_ORG}`)
    const main = await text(s.page.locator('main'))
    assert.match(main, /These are safe aggregates/)
    assert.ok(main.includes('[c]'), 'a commissioner sees the organisation\'s small counts hidden')
    s.assertClean()
  })
  await s.close()
})

test('a link worker sees their workload against the guide, a manager their team\'s; a commissioner neither', async () => {
  const w = await signIn(WORKER, 'link-worker')
  await explain(w, async () => {
    await w.goto('/workload')
    assert.equal(await w.heading(), 'Your workload')
    await check(w, 'workload (link worker)')
    const main = await text(w.page.locator('main'))
    assert.match(main, /Active \d+ (person|people) in contact with you/)
    assert.match(main, /Waiting \d+ (person|people) waiting for a first contact/)
    assert.match(main, /Against your limit \d+ of \d+ \(\d+%\)/)
    assert.match(main, /\d+ a year: (under|within|over|above) the guide of 200 to 250/i, 'the rate a year against the guide')
    assert.equal(await w.page.locator('main meter').count(), 1, 'the caseload is shown against its limit')
    assert.ok(await w.page.locator('main figure.lw-figure svg').count() >= 1, 'the months are charted')
    assert.equal(await w.page.locator('a[href="/workload/team"]').count(), 0, 'a link worker has no team view')
    w.assertClean()
  })
  await w.close()

  const m = await signIn(MANAGER, 'manager-team')
  await explain(m, async () => {
    await m.goto('/workload/team')
    assert.equal(await m.heading(), 'Your team’s workload')
    await check(m, 'team workload (manager)')
    const team = m.page.locator(`section:has(h2:text-is("${MANAGER_ORG}"))`)
    assert.equal(await team.count(), 1, `the team of ${MANAGER_ORG}`)
    const workers = (await team.locator('table tbody th[scope="row"]').allInnerTexts()).map((t) => t.trim())
    assert.ok(workers.includes(WORKER_NAME), `the link workers are listed: ${workers}`)
    assert.match(await text(team.locator('table').first()), /Supported in 12 months A year/)
    m.assertClean()
  })
  await m.close()

  const c = await signIn(COMMISSIONER, 'commissioner-workload')
  await explain(c, async () => {
    await c.assertForbidden('/workload')
    await check(c, 'workload forbidden (commissioner)', 403)
    await c.assertForbiddenQuick('/workload/team')
    c.assertClean()
  })
  await c.close()
})

test('an administrator is told when the threshold for hiding counts is out of range', async () => {
  const s = await signIn(ADMIN, 'admin')
  await explain(s, async () => {
    await s.goto('/settings/measures')
    assert.equal(await s.heading(), 'Measures settings')
    await check(s, 'measures settings')
    assert.equal(await s.page.locator('#threshold').inputValue(), '7')
    await s.fill({ threshold: '99' })
    assert.equal(await s.submit('Save the measures settings'), 422)
    await checkErrorSummary(s)
    await check(s, 'measures settings with a bad threshold', 422)
    assert.deepEqual(await s.errorSummary(), [THRESHOLD_ERROR])
    assert.equal(await s.page.locator('.nhsuk-error-summary a').getAttribute('href'), '#threshold')
    assert.equal(await s.page.locator('#threshold').inputValue(), '99', 'what was typed stays')

    // Nothing was changed.
    await s.goto('/settings/measures')
    assert.equal(await s.page.locator('#threshold').inputValue(), '7', 'the threshold is unchanged')
    s.assertClean()
  })
  await s.close()
})

test('the NHS England extract downloads with its header row', async () => {
  const s = await signIn(COMMISSIONER, 'commissioner-extract')
  await explain(s, async () => {
    const res = await s.context.request.get('/measures/nhs-extract.csv')
    assert.equal(res.status(), 200)
    assert.match(res.headers()['content-type'], /^text\/csv/)
    assert.match(res.headers()['content-disposition'] || '', /^attachment; filename="[^"]+\.csv"/)
    const lines = (await res.text()).replace(/^\ufeff/, '').split(/\r?\n/).filter((l) => l !== '')
    await res.dispose()
    assert.equal(lines[0], NHS_EXTRACT_HEADER)
    assert.ok(lines.length > 1, 'the demonstration\'s referrals are counted')
    for (const line of lines.slice(1)) {
      assert.match(line, /^\d{4}-\d{2},.+,(871731000000106|871711000000103),[^,]+,(\d+|\[c\])$/, `a row of the extract: ${line}`)
    }

    // A period the wrong way round is a problem, not a server error.
    const bad = await s.fetch('/measures/nhs-extract.csv?from=2026-03&to=2025-04')
    assert.ok(bad.status >= 400 && bad.status < 500, `a wrong period is refused, not a server error: ${bad.status}`)
    s.assertClean()
  })
  await s.close()
})

test('every measures page passes axe-core', () => {
  assert.equal(reports.length, 0, `axe-core found violations on ${reports.length} page(s):\n\n${reports.join('\n\n')}`)
})
