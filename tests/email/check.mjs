// Check each HTML file named on the command line against caniemail's data for the clients
// we promise; print one JSON object per file: {file, success, errors, warnings}.
import { readFileSync } from "node:fs";
import { doIUseEmail } from "@jsx-email/doiuse-email";

const clients = process.env.EMAIL_CLIENTS
  ? process.env.EMAIL_CLIENTS.split(",")
  : ["gmail.*", "outlook.*", "apple-mail.*", "yahoo.*", "thunderbird.*"];
const results = process.argv.slice(2).map((file) => {
  const result = doIUseEmail(readFileSync(file, "utf8"), { emailClients: clients });
  return { file, success: result.success, errors: result.errors ?? [], warnings: result.warnings ?? [] };
});
console.log(JSON.stringify(results));
