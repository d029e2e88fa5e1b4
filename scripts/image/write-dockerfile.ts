/** `npm run image:dockerfile`: rewrites the Dockerfile from scripts/image/recipe.json. */
import { writeFileSync } from "node:fs";
import { DOCKERFILE, generateDockerfile } from "./dockerfile.ts";
import { loadRecipe, packageVersion } from "./recipe.ts";

writeFileSync(DOCKERFILE, generateDockerfile(loadRecipe(), packageVersion()));
console.log(`wrote ${DOCKERFILE} from scripts/image/recipe.json`);
