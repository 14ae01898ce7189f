// The module demo/build.ts makes: each function of demo/announcement.js, by name, as it is written there.
declare module 'virtual:example-sources' {
  const sources: Readonly<Record<string, string>>;
  export default sources;
}
