// What a newcomer is told while the embedded directory holds nobody: admins what to do, agents why.
export const NO_USERS_YET =
  'No users yet — add users, import a CSV or connect LDAP in Settings → Directory.';

export const NO_USERS_YET_AGENT =
  'The directory has no users yet, so no requests can arrive. An admin adds them.';
