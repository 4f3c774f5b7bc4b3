import { editDistance } from './edit-distance.js';

/**
 * AWS Regions with DynamoDB (commercial, GovCloud, China), for "did you mean" hints. A region that
 * looks like one but is not listed (a new one) is accepted: the list only helps with typos.
 */
export const KNOWN_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-south-1',
  'me-central-1',
  'mx-central-1',
  'sa-east-1',
  'us-gov-east-1',
  'us-gov-west-1',
  'cn-north-1',
  'cn-northwest-1',
];

/** What a region name looks like: `eu-west-1`, `us-gov-west-1`, `ap-southeast-7` (a direction word). */
const REGION_SHAPE =
  /^[a-z]{2}(-(gov|iso|isob|isof|isoe))?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;

export function looksLikeRegion(name: string): boolean {
  return REGION_SHAPE.test(name);
}

/** The known region closest to `name` (at most 2 edits away), for a hint. */
export function closestRegion(name: string): string | undefined {
  let best: { region: string; distance: number } | undefined;
  for (const region of KNOWN_REGIONS) {
    const distance = editDistance(name.toLowerCase(), region, 2);
    if (distance <= 2 && (!best || distance < best.distance)) best = { region, distance };
  }
  return best?.region;
}
