// Stand-in for .scss/.css imports in the app tests.
export default {};
