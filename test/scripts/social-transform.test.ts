/**
 * Social identity provider profile transformations in the real sandbox: JavaScript scripts ending in
 * an IIFE or a bare value (AM's "last statement" rule), Groovy scripts translated to JavaScript
 * (declarations, JsonValue builders, property paths, safe navigation, Groovy truth, interpolation),
 * the state they write, and the refusals: a construct outside the translation, a script that returns
 * no object.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GroovyTranslationError, translateGroovy } from '../../src/scripts/groovy.js';
import { scriptKey, type LoadedScript } from '../../src/scripts/library.js';
import type { TransformRequest } from '../../src/scripts/engine.js';
import { needsOf } from '../../src/scripts/wrap.js';
import { testEngine } from './support.js';

const t = testEngine();
afterAll(() => t.close());
let n = 0;

function socialScript(source: string, language: 'JAVASCRIPT' | 'GROOVY'): LoadedScript {
  const id = `social-${++n}`;
  const runs = language === 'GROOVY' ? translateGroovy(source) : source;
  return {
    meta: { _id: id, name: id, language, context: 'SOCIAL_IDP_PROFILE_TRANSFORMATION', evaluatorVersion: '1.0' },
    source: runs,
    engine: 'social',
    key: scriptKey('social', runs),
    filename: `scripts/${id}.js`,
    needs: needsOf(runs),
    ...(language === 'GROOVY' ? { translatedFrom: 'groovy' as const } : {}),
  };
}

async function transform(source: string, language: 'JAVASCRIPT' | 'GROOVY', over: Partial<TransformRequest> = {}) {
  const script = socialScript(source, language);
  t.add(script);
  return t.engine.transform({
    scriptId: script.meta._id,
    journeyId: 'SocialLogin',
    nodeId: 'social',
    identityResource: 'managed/alpha_user',
    selectedIdp: 'acme',
    profile: { sub: '248289761001', name: 'Jane Doe', given_name: 'Jane', family_name: 'Doe', email: 'jane@example.com', email_verified: true },
    normalized: false,
    shared: {},
    transient: {},
    callbacks: undefined,
    request: { headers: {}, query: {} },
    ...over,
  });
}

const RAW_TO_NORMALIZED_GROOVY = `
import static org.forgerock.json.JsonValue.field
import static org.forgerock.json.JsonValue.json
import static org.forgerock.json.JsonValue.object

// The provider's claims, in the normalised shape
return json(object(
        field("id", rawProfile.sub),
        field("displayName", rawProfile.name),
        field("givenName", rawProfile.given_name),
        field("familyName", rawProfile.family_name),
        field("photoUrl", rawProfile.picture.data.url),
        field("email", rawProfile.email),
        field("username", rawProfile.email)))
`;

const NORMALIZED_TO_USER_GROOVY = `
import static org.forgerock.json.JsonValue.field
import static org.forgerock.json.JsonValue.json
import static org.forgerock.json.JsonValue.object
import org.forgerock.json.JsonValue

JsonValue user = json(object(
        field("givenName", normalizedProfile.givenName),
        field("sn", normalizedProfile.familyName),
        field("mail", normalizedProfile.email),
        field("userName", normalizedProfile.username)))

if (normalizedProfile.country.isNotNull()) user.put("country", normalizedProfile.country)
if (normalizedProfile.phone.isNotNull()) user.put("telephoneNumber", normalizedProfile.phone)

boolean noGiven = normalizedProfile.givenName.isNull() || (!normalizedProfile.givenName.asString()?.trim())
boolean noFamily = normalizedProfile.familyName.isNull() || (!normalizedProfile.familyName.asString()?.trim())
sharedState.put("nameEmptyOrNull", noGiven && noFamily)

return user
`;

describe('Groovy profile transformations', () => {
  it('normalises a raw profile with JsonValue builders and property paths (missing members are null)', async () => {
    const r = await transform(RAW_TO_NORMALIZED_GROOVY, 'GROOVY');
    expect(r.value).toEqual({
      id: '248289761001',
      displayName: 'Jane Doe',
      givenName: 'Jane',
      familyName: 'Doe',
      photoUrl: null,
      email: 'jane@example.com',
      username: 'jane@example.com',
    });
  });

  it('maps a normalised profile to a managed object and writes shared state', async () => {
    const profile = { id: '1', givenName: 'Jane', familyName: ' ', email: 'jane@example.com', username: 'jane', country: 'FR' };
    const r = await transform(NORMALIZED_TO_USER_GROOVY, 'GROOVY', { profile, normalized: true, shared: { keep: 1 } });
    expect(r.value).toEqual({ givenName: 'Jane', sn: ' ', mail: 'jane@example.com', userName: 'jane', country: 'FR' });
    expect(r.shared).toEqual({ keep: 1, nameEmptyOrNull: false });
    const blank = await transform(NORMALIZED_TO_USER_GROOVY, 'GROOVY', {
      profile: { ...profile, givenName: '', familyName: null },
      normalized: true,
    });
    expect(blank.shared.nameEmptyOrNull).toBe(true);
  });

  it('runs typed variables, if/else blocks, ternaries, Elvis, interpolation, split and negative indexes', async () => {
    const source = `
      String email = "change@me.com"
      String subjectId = rawProfile.sub
      String first = " "
      def parts
      if (rawProfile.isDefined("email") && rawProfile.email.isNotNull()) {
          email = rawProfile.email.asString()
      } else {
          email = "none"
      }
      parts = rawProfile.name.asString().split(" ")
      String display = (first?.trim() ? first : "") + parts[-1]
      def tag = rawProfile.nickname ?: "n/a"
      logger.message("profile of \${subjectId} from $selectedIdp")
      return json(object(field("id", subjectId), field("email", email), field("first", parts[0]),
          field("last", display), field("tag", rawProfile.nickname.isNull() ? tag.asString() : "x"), field("n", parts.size() + 1)))
    `;
    const r = await transform(source, 'GROOVY');
    expect(r.value).toEqual({ id: '248289761001', email: 'jane@example.com', first: 'Jane', last: 'Doe', tag: null, n: 3 });
    expect(t.logs.some((l) => l.message === 'profile of 248289761001 from acme')).toBe(true);
  });

  it('refuses what it does not translate, naming the line', () => {
    expect(() => translateGroovy('def x = rawProfile.list.collect { it.name }\nreturn x')).toThrow(/line 1: closures are not supported/);
    expect(() => translateGroovy('import groovy.json.JsonSlurper\nreturn [:]')).toThrow(GroovyTranslationError);
    expect(() => translateGroovy('return new java.util.HashMap()')).toThrow(/line 1: "new" is not supported/);
    expect(() => translateGroovy('\n\nreturn unknownThing.x')).toThrow(/line 3: unknownThing is neither a binding/);
    expect(() => translateGroovy('rawProfile = 1')).toThrow(/binding rawProfile cannot be assigned/);
  });
});

describe('JavaScript profile transformations', () => {
  it("take the value of the script's last statement: a trailing IIFE", async () => {
    const source = `
      (function () {
        var frJava = JavaImporter(org.forgerock.json.JsonValue);
        var out = frJava.JsonValue.json(frJava.JsonValue.object());
        out.put('id', rawProfile.get('sub').asString());
        out.put('email', rawProfile.get('email').asString());
        out.put('verified', rawProfile.get('email_verified').asBoolean());
        return out;
      }());`;
    const r = await transform(source, 'JAVASCRIPT');
    expect(r.value).toEqual({ id: '248289761001', email: 'jane@example.com', verified: true });
  });

  it('or a bare value, with state written through nodeState', async () => {
    const source = `var o = { userName: normalizedProfile.get('username').asString(), mail: normalizedProfile.get('email').asString() };
      nodeState.putShared('seen', selectedIdp);
      o`;
    const r = await transform(source, 'JAVASCRIPT', { profile: { username: 'jane', email: 'j@example.com' }, normalized: true });
    expect(r.value).toEqual({ userName: 'jane', mail: 'j@example.com' });
    expect(r.shared).toEqual({ seen: 'acme' });
  });

  it('fail when the script ends with something that is not an object', async () => {
    await expect(transform(`var x = 1;`, 'JAVASCRIPT')).rejects.toThrow(/must end with the transformed profile/);
    await expect(transform(`['a']`, 'JAVASCRIPT')).rejects.toThrow(/got a list/);
    expect(t.audits.some((a) => a.event === 'script.failed')).toBe(true);
  });
});
