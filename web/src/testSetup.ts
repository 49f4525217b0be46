import { options } from 'preact'

// Component tests run hooks' effects on a timer of their own. Preact's
// default waits for an animation frame with a 100 ms fallback timer whose
// callback calls cancelAnimationFrame: when a test file ends with an effect
// pending, that timer can fire after jsdom is torn down and fail the run
// ("cancelAnimationFrame is not defined"), depending on the machine's load.
options.requestAnimationFrame = (callback) => {
  setTimeout(callback)
}
