// linkwork works without JavaScript. With it, the NHS.UK frontend's components (the header
// menu on small screens, error summary focus) are switched on.
document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
import('/static/nhsuk/nhsuk-frontend.min.js')
  .then((nhsuk) => { if (nhsuk.initAll) nhsuk.initAll() })
  .catch(() => {})
