// Every consumer scenario, in the order they run in each Node lane. A scenario is a fresh project
// folder: `files` (written first), `installs` (each an `npm install` argument list, run in order,
// each followed by `npm ls --all`) and `steps` (the checks). `inFolderOf` runs its steps in
// another scenario's installed project instead.
import documentLoadSpa from './document-load-spa.mjs';
import expressApi from './express-api.mjs';
import otel2Project from './otel2-project.mjs';
import otel3Api from './otel3-api.mjs';
import reactSpa from './react-spa.mjs';
import readmeImports from './readme-imports.mjs';

export const scenarios = [expressApi, readmeImports, reactSpa, otel3Api, otel2Project, documentLoadSpa];
