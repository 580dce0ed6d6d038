import { platformOf } from '../catalogue/base-images';
import { isoTime, type XmlValue } from '../wire/xml';
import { stateAt, transitionAt } from './lifecycle';
import { STATE_CODES, type InstanceRecord, type InstanceStateName, type VolumeRecord } from './records';
import { tagSet } from './tags';

export function stateXml(state: InstanceStateName): XmlValue {
  return { code: STATE_CODES[state], name: state };
}

/** An instance as DescribeInstances/RunInstances write it, in its state at `now`. */
export function instanceXml(
  instance: InstanceRecord,
  now: number,
  volumes: Map<string, VolumeRecord>,
): XmlValue {
  const transition = transitionAt(instance, now);
  const state = stateAt(instance, now);
  const up = state !== 'terminated';
  const privateDns = `ip-${instance.privateIp.replace(/\./g, '-')}.${instance.region}.compute.internal`;
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: stateXml(state),
    privateDnsName: up ? privateDns : '',
    dnsName: '',
    reason: transition.transitionReason,
    keyName: instance.keyName,
    amiLaunchIndex: instance.launchIndex,
    productCodes: [],
    instanceType: instance.instanceType,
    launchTime: isoTime(instance.launchTime),
    placement: {
      availabilityZoneId: instance.subnet.zone.id,
      availabilityZone: instance.subnet.zone.name,
      groupName: '',
      tenancy: 'default',
    },
    monitoring: { state: 'disabled' },
    subnetId: up ? instance.subnet.subnetId : undefined,
    vpcId: up ? instance.vpcId : undefined,
    privateIpAddress: up ? instance.privateIp : undefined,
    sourceDestCheck: true,
    groupSet: up ? instance.securityGroups.map((g) => ({ groupId: g.groupId, groupName: g.groupName })) : [],
    stateReason: transition.reason
      ? { code: transition.reason.code, message: transition.reason.message }
      : undefined,
    architecture: instance.architecture,
    rootDeviceType: 'ebs',
    rootDeviceName: instance.rootDeviceName,
    blockDeviceMapping: up
      ? instance.devices.map((d) => ({
          deviceName: d.deviceName,
          ebs: {
            volumeId: d.volumeId,
            status: state === 'shutting-down' ? 'detaching' : 'attached',
            attachTime: isoTime(volumes.get(d.volumeId)?.createTime ?? instance.launchTime),
            deleteOnTermination: d.deleteOnTermination,
          },
        }))
      : [],
    virtualizationType: 'hvm',
    clientToken: instance.clientToken ?? '',
    tagSet: tagSet(instance.tags),
    hypervisor: 'xen',
    iamInstanceProfile: instance.iamInstanceProfile,
    ebsOptimized: false,
    enaSupport: true,
    cpuOptions: { coreCount: 1, threadsPerCore: 2 },
    metadataOptions: {
      state: 'applied',
      httpTokens: instance.httpTokens,
      httpPutResponseHopLimit: 2,
      httpEndpoint: 'enabled',
      httpProtocolIpv6: 'disabled',
      instanceMetadataTags: 'disabled',
    },
    bootMode: instance.bootMode,
    ...platformOf(instance.distro),
    usageOperation: 'RunInstances',
    currentInstanceBootMode: instance.bootMode === 'uefi-preferred' ? 'uefi' : instance.bootMode,
  };
}

/** The `instancesSet` item Stop/Start/Terminate return: where the instance was and where it is now. */
export function stateChangeXml(
  instanceId: string,
  previous: InstanceStateName,
  current: InstanceStateName,
): XmlValue {
  return { instanceId, currentState: stateXml(current), previousState: stateXml(previous) };
}
