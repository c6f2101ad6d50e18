// Casework in a real browser: a link worker opens a case record from an allocated referral,
// records what matters, a plan with a goal and a step, a contact, a note and a loneliness
// questionnaire (a draft first), sees their caseload and week, prints the plan and refers the
// person on to a community group; the group sees only the first name and accepts; the link
// worker closes the case; the manager exports and erases the record; an administrator sets
// the place's casework settings; and the forms work without JavaScript. axe-core checks
// each page.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { NAV, Session, checkErrorSummary, explain, launchBrowser, seed, startServer } from './harness.mjs'

const PLACE = 'Calderdale'
const SCHEME_ORG = 'Calder PCN'
const GROUP_ORG = 'Todmorden Walkers'
const COUNCIL = 'Calderdale Council'
const MANAGER = { role: 'manager', email: 'mo.manager@example.org', name: 'Mo Manager', org: SCHEME_ORG }
const WORKER = { role: 'link_worker', email: 'lee.worker@example.org', name: 'Lee Worker', org: SCHEME_ORG }
const MEMBER = { role: 'community', email: 'cam.walker@example.org', name: 'Cam Walker', org: GROUP_ORG }
const ADMIN = { role: 'admin', email: 'alex.admin@example.org', name: 'Alex Admin', org: COUNCIL }
const SCHEME = 'Calder Social Prescribing'
const OFFER = 'Todmorden Walking Group'

// The person referred, and a second one for the pages without JavaScript.
const ADA = { given_name: 'Ada', family_name: 'Lovelace', date_of_birth: '1950-12-10', born: '10 December 1950' }
const ALAN = { given_name: 'Alan', family_name: 'Turing', date_of_birth: '1960-06-23' }

const GOAL = 'I want to get out of the house more'
const STEP = 'Go to the walking group on Tuesday'
const UCLA3 = 'Loneliness (UCLA 3-item scale)'
const UCLA3_ITEMS = [
  '1. How often do you feel that you lack companionship?',
  '2. How often do you feel left out?',
  '3. How often do you feel isolated from others?',
]

let server, browser, offerID
const referrals = {} // given name -> referral ID
const reports = []

/** Calls the JSON API with a token. */
async function api (token, method, path, body) {
  const res = await fetch(server.url + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`)
  return JSON.parse(text)
}

/** The date in London, offset by some days, as YYYY-MM-DD: the server's "today". */
function londonDay (offset = 0) {
  const d = new Date(Date.now() + offset * 86_400_000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
}

/** A date as the pages write it: "3 March 2026". */
function longDate (iso) {
  const [y, m, d] = iso.split('-').map(Number)
  return `${d} ${new Date(Date.UTC(y, m - 1, d)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${y}`
}

before(async () => {
  let managerToken, memberToken
  server = await startServer({
    prepare: (run) => {
      seed(run, {
        place: PLACE,
        organisations: [{ name: SCHEME_ORG, sector: 'nhs' }, { name: GROUP_ORG, sector: 'vcse' }, { name: COUNCIL, sector: 'council' }],
        users: [MANAGER, WORKER, MEMBER, ADMIN],
      })
      managerToken = run(['token', 'create', '--email', MANAGER.email, '--name', 'e2e']).trim()
      memberToken = run(['token', 'create', '--email', MEMBER.email, '--name', 'e2e']).trim()
    },
  })
  const taxonomies = await api(managerToken, 'GET', '/api/v1/taxonomies')
  const needs = (taxonomies.items ?? taxonomies).find((t) => t.code === 'need')
  const loneliness = needs.terms.find((t) => t.code === 'loneliness')

  // The manager's scheme, which takes referrals from GP practices.
  const me = await api(managerToken, 'GET', '/api/v1/me')
  const scheme = await api(managerToken, 'POST', '/api/v1/services', {
    organisation_id: me.memberships[0].organisation_id,
    kind: 'connector_scheme',
    name: SCHEME,
    description: 'Link workers who help people find what matters to them.',
    status: 'active',
    free: true,
    term_ids: [loneliness.id],
    scheme: { model: 'pcn_link_worker', who_can_refer: ['gp_practice', 'self'], waiting_weeks: 2 },
  })

  // The walking group's offer, run by the community organisation, with an email for referrals.
  const member = await api(memberToken, 'GET', '/api/v1/me')
  const offer = await api(memberToken, 'POST', '/api/v1/services', {
    organisation_id: member.memberships[0].organisation_id,
    kind: 'activity',
    name: OFFER,
    description: 'A gentle walk along the canal every Tuesday morning, with a cup of tea after.',
    email: 'walks@example.org',
    status: 'active',
    free: true,
    term_ids: [loneliness.id],
    schedules: [{ freq: 'WEEKLY', days: [2], opens_at: '10:00', closes_at: '11:30' }],
  })
  offerID = offer.id

  // Two referrals to the scheme, accepted and allocated to the link worker.
  const users = await api(managerToken, 'GET', '/api/v1/users')
  const worker = (users.items ?? users).find((u) => u.email === WORKER.email)
  assert.ok(worker, `the link worker is among the manager's users: ${JSON.stringify(users)}`)
  for (const person of [ADA, ALAN]) {
    const ref = await api(managerToken, 'POST', '/api/v1/referrals', {
      person: {
        given_name: person.given_name,
        family_name: person.family_name,
        date_of_birth: person.date_of_birth,
        address_1: '1 Crossley Street',
        town: 'Halifax',
        postcode: 'HX1 1AB',
        phone: '01422 000000',
        contact_preferences: ['phone'],
      },
      need_ids: [loneliness.id],
      reason: 'Lives alone and rarely goes out.',
      urgency: 'routine',
      referrer: { type: 'gp_practice', role: 'GP', phone: '01422 000111' },
      consent: { to_referral: true, method: 'verbal' },
      scheme_id: scheme.id,
    })
    const accepted = await api(managerToken, 'POST', `/api/v1/referrals/${ref.id}/transitions`, { action: 'accept', version: ref.version })
    await api(managerToken, 'POST', `/api/v1/referrals/${ref.id}/transitions`,
      { action: 'allocate', version: accepted.version, worker_user_id: worker.id })
    referrals[person.given_name] = ref.id
  }
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

/** Chooses a radio by its label within the fieldset with the given legend. */
async function choose (s, legend, label) {
  const group = s.page.getByRole('group', { name: legend, exact: true })
  await group.locator('label', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).click()
}

/** The field with an id that has a dot in it (which an #id selector cannot name). */
function field (s, id) {
  return s.page.locator(`[id="${id}"]`)
}

/** The text of the page's main content as it reads, with its white space made single spaces. */
async function mainText (s) {
  return (await s.page.locator('main').innerText()).replace(/\s+/g, ' ')
}

let personPath

test('a link worker opens a case, records what matters, a plan, a contact and a questionnaire', async () => {
  const s = await Session.open(browser, server, { name: 'worker' })
  await explain(s, async () => {
    assert.equal(await s.signIn(WORKER.email), 200)
    assert.deepEqual(await s.nav(), NAV.link_worker)

    // From the referral allocated to them.
    await s.goto(`/referrals/${referrals.Ada}`)
    await check(s, 'referral allocated to the link worker')
    assert.equal(await s.submit('Open a case record'), 200)
    assert.match(s.path(), /^\/people\/\d+$/)
    personPath = s.path()
    assert.equal(await s.flash(), 'The case record is open. Next, record what matters to the person.')
    assert.equal(await s.heading(), 'Ada Lovelace')
    await check(s, 'new person page')
    assert.match(await s.page.locator('main .nhsuk-tag').first().textContent(), /Waiting for a first contact/)

    // What matters: refused without its one required answer, then saved.
    await s.clickAndWait(s.page.getByRole('link', { name: 'Record what matters to Ada' }))
    assert.equal(s.path(), `${personPath}/what-matters`)
    await check(s, 'what matters form')
    assert.equal(await s.page.locator('#held_on').inputValue(), londonDay(), 'the conversation is today unless changed')
    await s.fill({ strengths: 'Was a keen gardener; her neighbour looks in on her.' })
    assert.equal(await s.submit('Save what matters'), 422)
    await checkErrorSummary(s)
    await check(s, 'what matters form with errors', 422)
    assert.deepEqual(await s.errorSummary(), ['Enter what matters to the person, in their own words.'])
    assert.equal(await s.page.locator('#strengths').inputValue(), 'Was a keen gardener; her neighbour looks in on her.', 'what was typed stays')
    await s.fill({
      what_matters: 'Seeing people again, and being outdoors.',
      barriers: 'Confidence since her husband died.',
      connect: 'Would like to meet people her own age.',
    })
    assert.equal(await s.submit('Save what matters'), 200)
    assert.equal(s.path(), personPath)
    assert.equal(await s.flash(), 'What matters to the person has been saved.')
    assert.match(await s.page.locator('#what-matters + dl').textContent(), /Seeing people again, and being outdoors\.[\s\S]*Confidence since her husband died/)

    // A goal, and a small step towards it with a due date.
    await s.fill({ 'goal-text': GOAL })
    assert.equal(await s.submit('Add the goal'), 200)
    assert.equal(await s.flash(), 'The goal has been added to the plan.')
    const goalRow = s.page.locator('.lw-row[id^="goal-"]', { hasText: GOAL })
    const goalID = (await goalRow.getAttribute('id')).replace('goal-', '')
    const due = londonDay(7)
    await s.fill({ [`step-${goalID}-text`]: STEP, [`step-${goalID}-due_on`]: due })
    assert.equal(await s.submit('Add the step'), 200)
    assert.equal(await s.flash(), 'The step has been added to the plan.')
    const stepRow = goalRow.locator('tbody tr', { hasText: STEP })
    assert.match(await stepRow.textContent(), new RegExp(`${longDate(due)}[\\s\\S]*To do`))
    await check(s, 'person page with a plan')

    // A contact dated tomorrow is refused and nothing is saved; today's is recorded.
    await s.fill({ 'contact-on': londonDay(1), 'contact-minutes': '45', 'contact-note': 'First visit at home.' })
    await choose(s, 'How', 'Home visit')
    assert.equal(await s.submit('Record the contact'), 422)
    await checkErrorSummary(s)
    await check(s, 'person page with a contact in error', 422)
    const contactErrors = await s.errorSummary()
    assert.equal(contactErrors.length, 1, `one problem: ${contactErrors}`)
    assert.equal(contactErrors[0], 'The date of the contact must be today or in the past.')
    assert.equal(await s.page.locator('#contact-note').inputValue(), 'First visit at home.', 'what was typed stays')
    await s.goto(personPath)
    assert.match(await s.page.locator('#contacts + p').textContent(), /No contacts yet/, 'nothing was saved')
    await s.fill({ 'contact-on': londonDay(), 'contact-minutes': '45', 'contact-note': 'First visit at home.' })
    await choose(s, 'How', 'Home visit')
    assert.equal(await s.submit('Record the contact'), 200)
    assert.equal(await s.flash(), 'The contact has been recorded.')
    assert.match(await s.page.locator('#contacts ~ table').first().textContent(), /Home visit, 45 min[\s\S]*First visit at home\./)
    assert.match(await s.page.locator('main .nhsuk-tag').first().textContent(), /Being supported/)

    // A progress note.
    await s.fill({ 'note-text': 'Ada is keen to try the walking group.' })
    assert.equal(await s.submit('Add the note'), 200)
    assert.equal(await s.flash(), 'The note has been added.')
    assert.match(await s.page.locator('#notes + ul').textContent(), /Ada is keen to try the walking group\./)

    // UCLA3: scoring with a question unanswered names it; saved as a draft instead.
    await s.clickAndWait(s.page.locator('main a[href*="code=ucla3"][href*="timepoint=baseline"]'))
    assert.equal(await s.heading(), UCLA3)
    await check(s, 'questionnaire form')
    await choose(s, UCLA3_ITEMS[0], '2 – Some of the time')
    await choose(s, UCLA3_ITEMS[1], '2 – Some of the time')
    assert.equal(await s.page.getByRole('radio', { name: 'At the start (baseline)' }).isChecked(), true, 'the first is the baseline')
    assert.equal(await s.submit('Save and score'), 422)
    await checkErrorSummary(s)
    await check(s, 'questionnaire form with errors', 422)
    assert.deepEqual(await s.errorSummary(),
      ['Answer question 3 ("How often do you feel isolated from others?"), or save the questionnaire as a draft to finish later.'])
    assert.equal(await s.submit('Save as draft'), 200)
    assert.match(s.path(), new RegExp(`^${personPath}/questionnaires/\\d+$`))
    const draftPath = s.path()
    assert.match(await s.flash(), /^The questionnaire is saved as a draft\./)
    assert.equal(await s.heading(), `${UCLA3}: draft`)
    await check(s, 'questionnaire draft')

    // The person's page lists the draft unscored; reopened, it keeps its answers.
    await s.goto(personPath)
    const draftRow = s.page.locator('#questionnaires ~ table tbody tr', { hasText: UCLA3 })
    assert.match(await draftRow.textContent(), /Draft[\s\S]*Not scored: not finished/)
    await s.clickAndWait(draftRow.getByRole('link', { name: UCLA3 }))
    assert.equal(s.path(), draftPath)
    assert.equal(await s.page.getByRole('group', { name: UCLA3_ITEMS[0] }).getByRole('radio', { name: '2 – Some of the time' }).isChecked(), true)
    await choose(s, UCLA3_ITEMS[2], '3 – Often')
    assert.equal(await s.submit('Save and score'), 200)
    assert.equal(await s.flash(), 'The questionnaire is saved and scored.')
    await check(s, 'questionnaire result')
    assert.match(await mainText(s), /Total 7, on a scale from 3 to 9: a higher total means lonelier\./)
    assert.equal((await s.page.locator('main p', { hasText: 'Band:' }).textContent()).trim(), 'Band: Often lonely')

    // The caseload: Ada with her next action, the step.
    await s.clickAndWait(s.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'People', exact: true }))
    assert.equal(s.path(), '/people')
    assert.equal(await s.heading(), 'Your people')
    await check(s, 'caseload')
    const row = s.page.locator('table.lw-caseload tbody tr', { hasText: 'Ada Lovelace' })
    assert.equal(await row.count(), 1, 'Ada is on the caseload')
    const cells = (await row.locator('td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())
    assert.equal(cells[1], 'Being supported')
    assert.equal(cells[2], longDate(londonDay()), 'last contact today')
    assert.equal(cells[3], `${longDate(due)} ${STEP}`, 'the next action is the step')
    assert.equal(cells[5], WORKER.name)

    // The week: today's contact.
    await s.clickAndWait(s.page.getByRole('link', { name: 'The week', exact: true }))
    await check(s, 'week')
    const today = s.page.locator('main h2', { hasText: '(today)' })
    assert.equal(await today.count(), 1, 'today is in this week')
    assert.match(await mainText(s), /Contact with Ada Lovelace: Home visit, 45 minutes/)

    // The plan printed for Ada: no navigation on paper.
    await s.goto(personPath)
    await s.clickAndWait(s.page.getByRole('link', { name: 'Print the plan' }))
    assert.equal(s.path(), `${personPath}/plan`)
    assert.equal(await s.heading(), `Your plan with ${WORKER.name}`)
    await check(s, 'printed plan')
    assert.match(await mainText(s), new RegExp(`${GOAL}[\\s\\S]*${STEP}, by`))
    await s.page.emulateMedia({ media: 'print' })
    assert.equal(await s.page.locator('nav[aria-label="Menu"]').isVisible(), false, 'no navigation in print')
    assert.equal(await s.page.locator('.lw-actions').isVisible(), false, 'no instructions in print')
    assert.equal(await s.page.locator('main h1').isVisible(), true, 'the plan itself prints')
    await s.page.emulateMedia({ media: 'screen' })

    // Onward, from the step: search, choose the walking group, and send once Ada agrees.
    await s.goto(personPath)
    await s.clickAndWait(s.page.getByRole('link', { name: `Refer on for the step ${STEP}` }))
    assert.match(s.path(), new RegExp(`^${personPath}/onward/new\\?step=\\d+$`))
    await check(s, 'onward referral form')
    assert.equal(await s.page.locator('#first_name').inputValue(), 'Ada')
    assert.equal(await s.page.locator('#contact_phone').inputValue(), '01422 000000')
    assert.match(await s.page.locator('#needs').inputValue(), new RegExp(`^${STEP}`))
    await s.fill({ q: 'walk' })
    assert.equal(await s.submit('Search'), 200)
    assert.match(s.path(), /[?&]q=walk/)
    assert.match(s.path(), /[?&]step=\d+/, 'the search keeps the step')
    await check(s, 'onward referral form with results')
    await s.page.locator('label', { hasText: OFFER }).click()
    assert.equal(await s.submit('Send the referral'), 422)
    await checkErrorSummary(s)
    await check(s, 'onward referral form with errors', 422)
    const onwardErrors = await s.errorSummary()
    assert.equal(onwardErrors.length, 1, `only consent is missing: ${onwardErrors}`)
    assert.equal(await s.page.locator(`input[name="service_id"][value="${offerID}"]`).isChecked(), true, 'the offer stays chosen')
    await s.page.locator('label', { hasText: 'The person agrees to their first name' }).click()
    assert.equal(await s.submit('Send the referral'), 200)
    assert.equal(s.path(), personPath)
    assert.equal(await s.flash(), 'The referral has been sent to the group. You will see their answer on this page.')
    const onwardRow = s.page.locator('#onward ~ table tbody tr', { hasText: OFFER })
    assert.match(await onwardRow.textContent(), /Waiting for an answer/)
    await check(s, 'person page with an onward referral')
    s.assertClean()
  })
  await s.close()
})

test('the community group sees the first name only, and accepts', async () => {
  assert.ok(personPath, 'the case was opened')
  const s = await Session.open(browser, server, { name: 'community' })
  await explain(s, async () => {
    assert.equal(await s.signIn(MEMBER.email), 200)
    assert.deepEqual(await s.nav(), NAV.community)
    await s.clickAndWait(s.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Referrals to your groups' }))
    assert.equal(s.path(), '/onward')
    await check(s, 'onward inbox')
    const row = s.page.locator('table.nhsuk-table tbody tr', { hasText: OFFER })
    assert.equal(await row.count(), 1)
    assert.match(await row.textContent(), /Ada[\s\S]*01422 000000[\s\S]*Lee Worker[\s\S]*Waiting for an answer/)
    for (const secret of [ADA.family_name, ADA.born, ADA.date_of_birth, '1 Crossley Street']) {
      assert.ok(!(await mainText(s)).includes(secret), `the group's inbox does not show "${secret}"`)
    }

    await s.clickAndWait(row.getByRole('link', { name: 'Ada', exact: true }))
    assert.match(s.path(), /^\/onward\/\d+$/)
    assert.equal(await s.heading(), 'Ada')
    await check(s, 'onward referral for the group')
    for (const secret of [ADA.family_name, ADA.born, ADA.date_of_birth, '1 Crossley Street']) {
      assert.ok(!(await mainText(s)).includes(secret), `the group's view does not show "${secret}"`)
    }
    await choose(s, 'Your answer', 'Accept: we can welcome them')
    await s.fill({ note: 'Ada can start on Tuesday: we meet at the park gates.' })
    assert.equal(await s.submit('Save answer'), 200)
    assert.equal(await s.flash(), 'Your answer has been recorded, and the link worker will be told.')
    assert.match(await s.page.locator('main .nhsuk-tag').first().textContent(), /Accepted/)
    await check(s, 'onward referral accepted')
    s.assertClean()
  })
  await s.close()
})

test('the link worker sees the answer and closes the case', async () => {
  assert.ok(personPath, 'the case was opened')
  const s = await Session.open(browser, server, { name: 'worker-close' })
  await explain(s, async () => {
    assert.equal(await s.signIn(WORKER.email), 200)
    await s.goto(personPath)
    const onwardRow = s.page.locator('#onward ~ table tbody tr', { hasText: OFFER })
    assert.match(await onwardRow.textContent(), /Accepted[\s\S]*Ada can start on Tuesday: we meet at the park gates\./)

    await s.clickAndWait(s.page.getByRole('link', { name: 'Close the case' }))
    assert.equal(s.path(), `${personPath}/close`)
    await check(s, 'close the case')
    const finals = s.page.locator('.nhsuk-warning-callout li')
    assert.deepEqual((await finals.allTextContents()).map((t) => t.trim()), [`Record the final ${UCLA3}`])
    assert.equal(await s.submit('Close the case'), 422)
    await checkErrorSummary(s)
    await check(s, 'close the case with errors', 422)
    await choose(s, 'How did it end?', 'Goals met')
    assert.equal(await s.submit('Close the case'), 200)
    assert.equal(s.path(), personPath)
    assert.equal(await s.flash(), 'The case is closed. The referral it came from is closed too, and the referrer will be told.')
    assert.equal((await s.page.locator('main .nhsuk-tag').first().textContent()).trim(), 'Closed')
    assert.match(await mainText(s), /Outcome Goals met/)
    assert.equal(await s.page.getByRole('link', { name: 'Close the case' }).count(), 0, 'a closed case cannot be closed again')
    await check(s, 'closed case')
    s.assertClean()
  })
  await s.close()
})

test('the manager exports the record and erases it', async () => {
  assert.ok(personPath, 'the case was opened')
  const s = await Session.open(browser, server, { name: 'manager' })
  await explain(s, async () => {
    assert.equal(await s.signIn(MANAGER.email), 200)
    assert.deepEqual(await s.nav(), NAV.manager)
    await s.goto(personPath)
    await s.clickAndWait(s.page.getByRole('link', { name: 'Export the record' }))
    assert.equal(s.path(), `${personPath}/export`)
    assert.equal(await s.heading(), 'Everything held about Ada Lovelace')
    await check(s, 'export')
    const text = await mainText(s)
    for (const want of [ADA.born, 'Seeing people again', GOAL, STEP, 'First visit at home.', OFFER, UCLA3]) {
      assert.ok(text.includes(want), `the export includes "${want}"`)
    }
    const json = await s.fetch(await s.page.locator('main .lw-actions a', { hasText: 'JSON' }).getAttribute('href'))
    assert.equal(json.status, 200)
    const rec = JSON.parse(json.body)
    assert.equal(rec.person.given_name, 'Ada')
    assert.equal(rec.person.family_name, 'Lovelace')
    assert.equal(rec.contacts.length, 1)
    assert.equal(rec.onward_referrals.length, 1)

    await s.goto(personPath)
    await s.clickAndWait(s.page.getByRole('link', { name: 'Erase their personal data' }))
    assert.equal(s.path(), `${personPath}/erase`)
    await check(s, 'erase')
    await s.fill({ reason: 'The person asked for it under UK GDPR.', confirm_name: 'Ada Lovelock' })
    assert.equal(await s.submit('Erase the personal data'), 422)
    await checkErrorSummary(s)
    await check(s, 'erase with errors', 422)
    assert.deepEqual(await s.errorSummary(), ['The name typed is not the person’s. Type Ada Lovelace exactly, to confirm this is the right record.'])
    await s.fill({ confirm_name: 'ada  lovelace' })
    assert.equal(await s.submit('Erase the personal data'), 200)
    assert.equal(s.path(), personPath)
    assert.equal(await s.flash(), "The person's personal data has been erased. Only anonymous facts remain.")
    assert.equal(await s.heading(), 'Erased record')
    await check(s, 'erased record')
    const left = await s.page.locator('body').textContent()
    for (const gone of ['Lovelace', ADA.born, 'Seeing people again', '01422 000000']) {
      assert.ok(!left.includes(gone), `the erased record does not show "${gone}"`)
    }
    assert.match(await mainText(s), /Outcome Goals met/, 'the anonymous facts remain')
    s.assertClean()
  })
  await s.close()
})

test('an administrator sets the casework settings and defines a questionnaire', async () => {
  const s = await Session.open(browser, server, { name: 'admin' })
  await explain(s, async () => {
    assert.equal(await s.signIn(ADMIN.email), 200)
    assert.deepEqual(await s.nav(), NAV.admin)
    // The header folds its last links into a menu on a narrow window: follow the link's address.
    await s.goto(await s.page.locator('nav[aria-label="Menu"] a', { hasText: 'Casework settings' }).getAttribute('href'))
    assert.equal(s.path(), '/settings/casework')
    await check(s, 'casework settings')
    assert.match(await mainText(s), /No wording has been supplied yet\./)

    // Retention: a word is refused, a number of months saved.
    await s.fill({ months: 'ten' })
    assert.equal(await s.submit('Save retention period'), 422)
    await checkErrorSummary(s)
    await check(s, 'casework settings with errors', 422)
    await s.fill({ months: '84' })
    assert.equal(await s.submit('Save retention period'), 200)
    assert.equal(await s.flash(), 'The retention period has been saved.')
    assert.equal(await s.page.locator('#months').inputValue(), '84')
    assert.match(await mainText(s), /Closed cases are erased 7 years after they close\./)

    // The licensed wording of SWEMWBS, seven statements (placeholders here: the real wording
    // is licensed, and linkwork does not include it).
    for (let i = 1; i <= 7; i++) await field(s, `swemwbs.${i}`).fill(`Licensed statement number ${i}, as supplied`)
    assert.equal(await s.submit('Save wording'), 200)
    assert.equal(await s.flash(), 'The licensed wording of SWEMWBS has been saved. Questionnaires now show it.')
    assert.equal(await field(s, 'swemwbs.7').inputValue(), 'Licensed statement number 7, as supplied')
    assert.doesNotMatch(await mainText(s), /No wording has been supplied yet|Wording not supplied/)

    // A local questionnaire, defined without code: an empty form first.
    await s.clickAndWait(s.page.getByRole('link', { name: 'Define a questionnaire' }))
    assert.equal(s.path(), '/settings/questionnaires/new')
    await check(s, 'define a questionnaire')
    assert.equal(await s.submit('Define questionnaire'), 422)
    await checkErrorSummary(s)
    await check(s, 'define a questionnaire with errors', 422)
    assert.ok((await s.errorSummary()).length >= 3, `the name, scale and questions are asked for: ${await s.errorSummary()}`)
    await s.fill({
      name: 'Confidence to get out',
      description: 'How confident the person feels about going out and meeting people.',
      scale_min: '0',
      scale_max: '4',
      min_label: 'Not at all',
      max_label: 'Completely',
      items: 'How confident are you going out on your own?\nHow confident are you meeting new people?\nHow confident are you using the bus?',
      bands: '0-4 Low\n5-8 Some\n9-12 High',
    })
    await choose(s, 'How are the answers scored?', 'Add up the answers (sum)')
    await choose(s, 'Is a higher score better?', 'Yes: a higher score is better')
    assert.equal(await s.submit('Define questionnaire'), 200)
    assert.equal(s.path(), '/settings/casework')
    assert.equal(await s.flash(), 'The questionnaire has been added. Link workers can now record it.')
    const row = s.page.locator('#questionnaires ~ table tbody tr', { hasText: 'Confidence to get out' })
    assert.match(await row.textContent(), /Confidence to get out[\s\S]*3[\s\S]*Adding up the answers/)
    await check(s, 'casework settings with a local questionnaire')
    s.assertClean()
  })
  await s.close()
})

test('without JavaScript a link worker records a contact and a questionnaire', async () => {
  const s = await Session.open(browser, server, { javaScript: false, name: 'worker-nojs' })
  await explain(s, async () => {
    assert.equal(await s.signIn(WORKER.email), 200)
    await s.goto(`/referrals/${referrals.Alan}`)
    assert.equal(await s.submit('Open a case record'), 200)
    assert.match(s.path(), /^\/people\/\d+$/)
    const alan = s.path()
    assert.equal(await s.heading(), 'Alan Turing')

    // A contact: the mode is a radio, the date and minutes are typed.
    assert.equal(await s.page.locator('#contact-on').inputValue(), londonDay())
    await s.fill({ 'contact-minutes': 'an hour' })
    await choose(s, 'How', 'Phone')
    assert.equal(await s.submit('Record the contact'), 422)
    await checkErrorSummary(s)
    assert.deepEqual(await s.errorSummary(), ['Enter how long the contact took in whole minutes, as a number such as 45.'])
    await s.fill({ 'contact-minutes': '20', 'contact-note': 'Called to introduce myself.' })
    assert.equal(await s.submit('Record the contact'), 200)
    assert.equal(s.path(), alan)
    assert.equal(await s.flash(), 'The contact has been recorded.')
    assert.match(await s.page.locator('#contacts ~ table').first().textContent(), /Phone, 20 min[\s\S]*Called to introduce myself\./)

    // The questionnaires offered include the place's own; UCLA3 is answered with radios.
    const offered = await s.page.locator('#questionnaires ~ ul li').allTextContents()
    assert.ok(offered.some((t) => t.startsWith('Confidence to get out')), `the local questionnaire is offered: ${offered}`)
    await s.clickAndWait(s.page.locator('main a[href*="code=ucla3"][href*="timepoint=baseline"]'))
    assert.equal(await s.heading(), UCLA3)
    await choose(s, UCLA3_ITEMS[0], '1 – Hardly ever')
    await choose(s, UCLA3_ITEMS[1], '1 – Hardly ever')
    assert.equal(await s.submit('Save and score'), 422)
    await checkErrorSummary(s)
    assert.equal(await s.page.getByRole('radio', { name: '1 – Hardly ever' }).first().isChecked(), true, 'answers stay chosen')
    await choose(s, UCLA3_ITEMS[2], '1 – Hardly ever')
    assert.equal(await s.submit('Save and score'), 200)
    assert.equal(await s.flash(), 'The questionnaire is saved and scored.')
    assert.match(await mainText(s), /Total 3, on a scale from 3 to 9/)
    assert.equal((await s.page.locator('main p', { hasText: 'Band:' }).textContent()).trim(), 'Band: Not often lonely')
    s.assertClean()
  })
  await s.close()
})

test('every casework page passes axe-core', () => {
  assert.equal(reports.length, 0, `axe-core found violations on ${reports.length} page(s):\n\n${reports.join('\n\n')}`)
})
