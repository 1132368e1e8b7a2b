// A Node built-in module the test page never really calls (fs and friends, through graceful-fs).
export default {};
